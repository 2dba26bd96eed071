-- feed code_rows: one row per HCPCS x modifier of the release at the cf_variant: the national fee of each row, and
-- a non-participating provider's with its limiting charge. inputs: fee_national; parameters $r (release),
-- $v (cf_variant). Amounts as DOUBLE for JSON.
SELECT hcpcs, modifier, status_code, fee_nonfacility_usd::DOUBLE AS fee_nonfacility_usd,
       fee_facility_usd::DOUBLE AS fee_facility_usd, nonfacility_na, facility_na,
       fee_nonfacility_nonpar_usd::DOUBLE AS fee_nonfacility_nonpar_usd,
       fee_facility_nonpar_usd::DOUBLE AS fee_facility_nonpar_usd,
       limiting_charge_nonfacility_usd::DOUBLE AS limiting_charge_nonfacility_usd,
       limiting_charge_facility_usd::DOUBLE AS limiting_charge_facility_usd
FROM fee_national
WHERE release = $r AND cf_variant = $v
ORDER BY hcpcs, modifier
