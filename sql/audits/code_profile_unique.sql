-- audit code_profile_unique: codes with other than exactly one profile row, or a rvu code without one.
-- grain: one row per offending HCPCS; must return zero rows.
SELECT hcpcs, count(p.hcpcs) AS profiles
FROM (SELECT DISTINCT hcpcs FROM rvu) AS r
LEFT JOIN code_profile AS p USING (hcpcs)
GROUP BY hcpcs
HAVING count(p.hcpcs) <> 1
