-- fee_locality: one row per release x HCPCS x modifier x MAC x locality x conversion factor variant (every rvu row
-- in every gpci locality of its release, at each of its conversion factors). inputs: rvu, gpci, conversion_factor.
-- The one definition of the locality fee: the refresh runs it over one release's tables (and writes it in key
-- order), pfs.duckdb holds it as a view over every release (two million rows a release would make up most of
-- the file), and the pricer prices a claim line with the same macros (setting_parts).
-- Fee = min(PFS amount, OPPS amount) per setting, where the OPPS amount uses the work RVU and the
-- "USED FOR OPPS" PE and MP RVUs and exists only for rows whose OPPS columns are populated.
-- Null for a status the PFS does not pay.
SELECT
    r.year,
    r.release,
    r.hcpcs,
    r.modifier,
    g.mac,
    g.locality,
    g.state,
    c.cf_variant,
    parts_fee(setting_parts(r, g, c.conversion_factor_usd, false)) AS fee_nonfacility_usd,
    parts_fee(setting_parts(r, g, c.conversion_factor_usd, true)) AS fee_facility_usd,
    r.nonfacility_na,
    r.facility_na,
    parts_capped(setting_parts(r, g, c.conversion_factor_usd, false)) AS is_opps_capped_nonfacility,
    parts_capped(setting_parts(r, g, c.conversion_factor_usd, true)) AS is_opps_capped_facility
FROM rvu AS r
JOIN gpci AS g USING (year, release)
JOIN conversion_factor AS c USING (year, release)
