-- category_ranking: one row per HCPCS x metric x conversion factor variant of the release, for the codes
-- in their category's population. inputs: rvu (category, RVUs), fee_national, conversion_factor.
-- (The RVU metrics rank the same under every variant; the fee metric differs.)
-- Definition (docs/lake.md, "Category ranking"): population = the distinct HCPCS codes of a category with a value > 0;
-- a code's value = the largest on any of its rows (modifier rows included); percentile = cume_dist x 100
-- (the share of the population at or below the value); ties = other codes with the same value;
-- ratio_to_median = median / value below the median, value / median above it, 1 at it.
-- Status codes are not filtered. Metrics: work_rvu, nonfacility_total_rvu, fee_nonfacility_usd (national).
WITH rvu_value AS (
    SELECT hcpcs, any_value(category) AS category, 'work_rvu' AS metric, max(work_rvu) AS value
    FROM rvu GROUP BY hcpcs
    UNION ALL
    SELECT hcpcs, any_value(category), 'nonfacility_total_rvu', max(nonfacility_total_rvu)
    FROM rvu GROUP BY hcpcs
),
code_value AS (
    SELECT c.cf_variant, v.* FROM rvu_value AS v CROSS JOIN conversion_factor AS c
    UNION ALL
    SELECT f.cf_variant, r.hcpcs, any_value(r.category), 'fee_nonfacility_usd', max(f.fee_nonfacility_usd)
    FROM rvu AS r JOIN fee_national AS f USING (hcpcs, modifier) GROUP BY f.cf_variant, r.hcpcs
),
population AS (
    SELECT cf_variant, hcpcs, category, metric, CAST(value AS DOUBLE) AS value FROM code_value WHERE value > 0
),
stats AS (
    SELECT
        cf_variant,
        category,
        metric,
        count(*) AS n,
        median(value) AS median,
        max(value) AS max_value,
        first(hcpcs ORDER BY value DESC, hcpcs) AS max_hcpcs
    FROM population
    GROUP BY cf_variant, category, metric
)
SELECT
    p.hcpcs,
    p.cf_variant,
    p.category,
    p.metric,
    p.value,
    cume_dist() OVER (PARTITION BY p.cf_variant, p.category, p.metric ORDER BY p.value) * 100 AS percentile,
    count(*) OVER (PARTITION BY p.cf_variant, p.category, p.metric, p.value) - 1 AS ties,
    s.n,
    s.median,
    s.max_value,
    s.max_hcpcs,
    CASE WHEN p.value < s.median THEN s.median / p.value
         WHEN p.value > s.median THEN p.value / s.median
         ELSE 1.0 END AS ratio_to_median,
    CASE WHEN p.value < s.median THEN 'below' WHEN p.value > s.median THEN 'above' ELSE 'at' END AS direction
FROM population AS p
JOIN stats AS s USING (cf_variant, category, metric)
ORDER BY p.cf_variant, p.category, p.metric, p.hcpcs
