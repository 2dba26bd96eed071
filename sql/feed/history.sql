-- feed history: one row per HCPCS of the release x release of the lake that has the code, in the order the
-- releases took effect, with the national non-facility fee's change from the code's previous release.
-- inputs: code_profile, release_validity; parameters $r (release), $v (cf_variant). Amounts as DOUBLE for JSON.
SELECT
    p.hcpcs,
    p.release,
    v.valid_from AS effective_from,
    p.status_code,
    p.work_rvu::DOUBLE AS work_rvu,
    p.nonfacility_total_rvu::DOUBLE AS nonfacility_total_rvu,
    p.fee_nonfacility_usd::DOUBLE AS fee_nonfacility_usd,
    p.fee_facility_usd::DOUBLE AS fee_facility_usd,
    (p.fee_nonfacility_usd
     - lag(p.fee_nonfacility_usd) OVER (PARTITION BY p.hcpcs ORDER BY v.valid_from, p.release))::DOUBLE
        AS fee_nonfacility_change_usd
FROM code_profile AS p
JOIN release_validity AS v USING (release)
WHERE p.cf_variant = $v AND p.hcpcs IN (SELECT hcpcs FROM code_profile WHERE release = $r AND cf_variant = $v)
ORDER BY p.hcpcs, v.valid_from, p.release
