-- audit opps_cap_reproduced: status-A OPPSCAP rows whose price the published locality fee does not equal
-- to the cent (in either setting), or that match no GPCI locality (when the release has a GPCI).
-- grain: one row per offending OPPSCAP row; must return zero rows. Status C rows are only a ceiling for
-- contractor pricing and are not compared. Compared at the release's default conversion factor variant.
SELECT o.hcpcs, o.modifier, o.mac, o.locality, o.gpci_mac,
       o.opps_cap_nonfacility_usd, f.fee_nonfacility_usd, o.opps_cap_facility_usd, f.fee_facility_usd
FROM opps_cap AS o
LEFT JOIN fee_locality AS f
    ON f.hcpcs = o.hcpcs AND f.modifier = o.modifier AND f.mac = o.gpci_mac AND f.locality = o.locality
    AND f.cf_variant = (SELECT cf_variant FROM releases)
WHERE o.status_code = 'A'
  AND (SELECT count(*) FROM gpci) > 0
  AND (f.hcpcs IS NULL
       OR f.fee_nonfacility_usd IS DISTINCT FROM o.opps_cap_nonfacility_usd
       OR f.fee_facility_usd IS DISTINCT FROM o.opps_cap_facility_usd)
