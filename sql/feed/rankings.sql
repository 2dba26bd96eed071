-- feed rankings: one row per HCPCS x metric of the release at the cf_variant.
-- inputs: category_ranking; parameters $r (release), $v (cf_variant).
SELECT hcpcs, metric, category, value, percentile, n, ties, median, max_value, max_hcpcs, ratio_to_median, direction
FROM category_ranking
WHERE release = $r AND cf_variant = $v
ORDER BY hcpcs, metric
