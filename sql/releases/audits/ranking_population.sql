-- audit ranking_population: categories whose published n differs from the count of ranked codes, or
-- whose codes are not all priced with a value > 0.
-- grain: one row per offending variant x category x metric; must return zero rows.
SELECT cf_variant, category, metric, any_value(n) AS n, count(*) AS ranked
FROM category_ranking
GROUP BY cf_variant, category, metric
HAVING count(*) <> any_value(n) OR count(DISTINCT n) <> 1 OR min(value) <= 0
