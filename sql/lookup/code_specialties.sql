-- code_specialties: one row per specialty among the top $top of a code, for each utilization source, in the
-- newest year of that source the lake holds for the code. inputs: code_specialty; parameters $hcpcs, $top.
WITH newest AS (
    SELECT source, max(year) AS year FROM code_specialty WHERE hcpcs = $hcpcs GROUP BY source
)
SELECT c.year, c.source, c.rank, c.specialty, c.specialty_code, c.share, c.services, c.providers
FROM code_specialty AS c
JOIN newest USING (source, year)
WHERE c.hcpcs = $hcpcs AND c.rank <= $top
ORDER BY c.source, c.rank
