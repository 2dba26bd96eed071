-- site category_population: one row per category of the release x HCPCS in its work RVU ranking population
-- (work RVU > 0), with the category's median and highest value. inputs: category_ranking; parameters $r, $v.
SELECT category, hcpcs, value, median, max_value, max_hcpcs
FROM category_ranking
WHERE release = $r AND cf_variant = $v AND metric = 'work_rvu'
ORDER BY category, value, hcpcs
