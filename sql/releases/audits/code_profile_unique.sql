-- audit code_profile_unique: code x variant pairs with other than exactly one profile row.
-- grain: one row per offending HCPCS x conversion factor variant; must return zero rows.
SELECT r.hcpcs, c.cf_variant, count(p.hcpcs) AS profiles
FROM (SELECT DISTINCT hcpcs FROM rvu) AS r
CROSS JOIN conversion_factor AS c
LEFT JOIN code_profile AS p ON p.hcpcs = r.hcpcs AND p.cf_variant = c.cf_variant
GROUP BY r.hcpcs, c.cf_variant
HAVING count(p.hcpcs) <> 1
