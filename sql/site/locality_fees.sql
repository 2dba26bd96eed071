-- site locality_fees: one row per HCPCS of the release x MAC x locality, at the cf_variant, for the row a code page
-- shows (code_profile.shown_modifier), with the locality's name. inputs: code_profile, fee_locality, localities;
-- parameters $r (release), $v (cf_variant). With a non-participating provider's fee and limiting charge in each
-- setting (the lake's macros, from the exact fee). Amounts as DOUBLE (exact for cents at these sizes), for speed.
SELECT f.hcpcs, f.mac, f.locality, l.state, l.locality_name, f.fee_nonfacility_usd::DOUBLE, f.fee_facility_usd::DOUBLE,
       f.is_opps_capped_nonfacility, f.is_opps_capped_facility,
       nonpar_usd(f.fee_nonfacility_usd)::DOUBLE, limiting_charge_usd(f.fee_nonfacility_usd)::DOUBLE,
       nonpar_usd(f.fee_facility_usd)::DOUBLE, limiting_charge_usd(f.fee_facility_usd)::DOUBLE
FROM fee_locality AS f
JOIN code_profile AS p
    ON p.release = f.release AND p.hcpcs = f.hcpcs AND p.cf_variant = f.cf_variant AND p.shown_modifier = f.modifier
JOIN localities AS l ON l.release = f.release AND l.mac = f.mac AND l.locality = f.locality
WHERE f.release = $r AND f.cf_variant = $v
ORDER BY f.hcpcs, f.mac, f.locality
