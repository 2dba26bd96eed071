-- feed locality_fees: one row per HCPCS x modifier x MAC x locality of the release at the cf_variant.
-- inputs: fee_locality, the macros of sql/releases/macros.sql (a non-participating provider's fee and limiting
-- charge beside each fee); parameters $r (release), $v (cf_variant). Amounts as DOUBLE for JSON.
SELECT hcpcs, modifier, mac, locality, fee_nonfacility_usd::DOUBLE, fee_facility_usd::DOUBLE,
       is_opps_capped_nonfacility, is_opps_capped_facility, nonpar_usd(fee_nonfacility_usd)::DOUBLE,
       nonpar_usd(fee_facility_usd)::DOUBLE, limiting_charge_usd(fee_nonfacility_usd)::DOUBLE,
       limiting_charge_usd(fee_facility_usd)::DOUBLE
FROM fee_locality
WHERE release = $r AND cf_variant = $v
ORDER BY hcpcs, modifier, mac, locality
