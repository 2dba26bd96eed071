-- feed specialties: one row per HCPCS of the release x utilization source x specialty among the code's top 10,
-- in the newest year of that source the lake holds for the code. inputs: code_specialty, code_profile;
-- parameters $r (release), $v (cf_variant). Counts as DOUBLE for JSON.
WITH newest AS (SELECT hcpcs, source, max(year) AS year FROM code_specialty GROUP BY ALL)
SELECT c.hcpcs, c.year, c.source, c.rank, c.specialty, c.specialty_code, c.share, c.services::DOUBLE AS services,
       c.providers
FROM code_specialty AS c
JOIN newest USING (hcpcs, source, year)
WHERE c.rank <= 10 AND c.hcpcs IN (SELECT hcpcs FROM code_profile WHERE release = $r AND cf_variant = $v)
ORDER BY c.hcpcs, c.source, c.rank
