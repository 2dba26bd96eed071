-- code_profile: one row per HCPCS x conversion factor variant of the release: everything a code page shows.
-- inputs: rvu, fee_national, fee_locality, category_ranking, conversion_factor.
-- The row shown is the code's global row (no modifier) where it has one, else its first modifier row
-- (some codes are priced only on the 26 or TC row); `modifiers` lists every row the code has.
-- percentile, n, ties, median, max_value, max_hcpcs, ratio_to_median, direction: the work RVU ranking.
WITH shown AS (
    SELECT *
    FROM rvu
    QUALIFY row_number() OVER (PARTITION BY hcpcs ORDER BY modifier <> '', modifier) = 1
),
modifiers AS (
    SELECT hcpcs, list(modifier ORDER BY modifier) AS modifiers FROM rvu GROUP BY hcpcs
),
spread AS (
    SELECT
        hcpcs,
        modifier,
        cf_variant,
        count(*) AS localities,
        min(fee_nonfacility_usd) AS fee_nonfacility_min_usd,
        CAST(median(fee_nonfacility_usd) AS DECIMAL(12, 2)) AS fee_nonfacility_median_usd,
        max(fee_nonfacility_usd) AS fee_nonfacility_max_usd,
        min(fee_facility_usd) AS fee_facility_min_usd,
        CAST(median(fee_facility_usd) AS DECIMAL(12, 2)) AS fee_facility_median_usd,
        max(fee_facility_usd) AS fee_facility_max_usd
    FROM fee_locality
    WHERE fee_nonfacility_usd IS NOT NULL  -- unpaid statuses have no fee to spread
    GROUP BY hcpcs, modifier, cf_variant
),
work AS (SELECT * FROM category_ranking WHERE metric = 'work_rvu'),
total AS (SELECT * FROM category_ranking WHERE metric = 'nonfacility_total_rvu'),
fee AS (SELECT * FROM category_ranking WHERE metric = 'fee_nonfacility_usd')
SELECT
    s.hcpcs,
    c.cf_variant,
    s.modifier AS shown_modifier,
    m.modifiers,
    s.description,
    s.status_code,
    s.global_days,
    s.category,
    s.work_rvu,
    s.nonfacility_pe_rvu,
    s.facility_pe_rvu,
    s.mp_rvu,
    s.nonfacility_total_rvu,
    s.facility_total_rvu,
    c.conversion_factor_usd,
    n.fee_nonfacility_usd,
    n.fee_facility_usd,
    s.nonfacility_na,
    s.facility_na,
    n.fee_nonfacility_nonpar_usd,
    n.fee_facility_nonpar_usd,
    n.limiting_charge_nonfacility_usd,
    n.limiting_charge_facility_usd,
    w.value AS ranked_work_rvu,
    w.percentile,
    w.n,
    w.ties,
    w.median,
    w.max_value,
    w.max_hcpcs,
    w.ratio_to_median,
    w.direction,
    t.percentile AS total_rvu_percentile,
    t.median AS total_rvu_median,
    f.percentile AS fee_nonfacility_percentile,
    f.median AS fee_nonfacility_median_usd_in_category,
    coalesce(sp.localities, 0) AS localities,
    sp.fee_nonfacility_min_usd,
    sp.fee_nonfacility_median_usd,
    sp.fee_nonfacility_max_usd,
    sp.fee_facility_min_usd,
    sp.fee_facility_median_usd,
    sp.fee_facility_max_usd
FROM shown AS s
CROSS JOIN conversion_factor AS c
JOIN modifiers AS m ON m.hcpcs = s.hcpcs
JOIN fee_national AS n ON n.hcpcs = s.hcpcs AND n.modifier = s.modifier AND n.cf_variant = c.cf_variant
LEFT JOIN spread AS sp ON sp.hcpcs = s.hcpcs AND sp.modifier = s.modifier AND sp.cf_variant = c.cf_variant
LEFT JOIN work AS w ON w.hcpcs = s.hcpcs AND w.cf_variant = c.cf_variant
LEFT JOIN total AS t ON t.hcpcs = s.hcpcs AND t.cf_variant = c.cf_variant
LEFT JOIN fee AS f ON f.hcpcs = s.hcpcs AND f.cf_variant = c.cf_variant
ORDER BY s.hcpcs, c.cf_variant
