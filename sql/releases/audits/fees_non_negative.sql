-- audit fees_non_negative: fees below zero, national or per locality.
-- grain: one row per offending fee row; must return zero rows.
SELECT 'fee_national' AS source, hcpcs, modifier, NULL AS mac, NULL AS locality
FROM fee_national WHERE fee_nonfacility_usd < 0 OR fee_facility_usd < 0
UNION ALL
SELECT 'fee_locality', hcpcs, modifier, mac, locality
FROM fee_locality WHERE fee_nonfacility_usd < 0 OR fee_facility_usd < 0
