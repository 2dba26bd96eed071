-- fee_locality: one row per release x HCPCS x modifier x MAC x locality x conversion factor variant (every rvu row
-- in every gpci locality of its release, at each of its conversion factors). inputs: rvu, gpci, conversion_factor.
-- The one definition of the locality fee: the refresh runs it over one release's tables (and writes it in key
-- order), pfs.duckdb holds it as a view over every release (two million rows a release would make up most of
-- the file), and the pricer prices a claim line with the same macros (setting_parts).
-- Fee = min(PFS amount, OPPS amount) per setting, where the OPPS amount uses the work RVU and the
-- "USED FOR OPPS" PE and MP RVUs and exists only for rows whose OPPS columns are populated.
-- Null for a status the PFS does not pay. A non-participating provider's fee and limiting charge are not stored
-- here (four derived columns would triple the table's files): nonpar_usd(fee) and limiting_charge_usd(fee).
-- Each setting's parts are computed once and read twice (fee, capped): the macros expand into large expressions,
-- and four expansions made planning a one-code lookup ten times slower.
WITH priced AS (
    SELECT
        r.year,
        r.release,
        r.hcpcs,
        r.modifier,
        g.mac,
        g.locality,
        g.state,
        c.cf_variant,
        r.nonfacility_na,
        r.facility_na,
        setting_parts(r, g, c.conversion_factor_usd, false) AS nonfacility,
        setting_parts(r, g, c.conversion_factor_usd, true) AS facility
    FROM rvu AS r
    JOIN gpci AS g USING (year, release)
    JOIN conversion_factor AS c USING (year, release)
)
SELECT
    year,
    release,
    hcpcs,
    modifier,
    mac,
    locality,
    state,
    cf_variant,
    parts_fee(nonfacility) AS fee_nonfacility_usd,
    parts_fee(facility) AS fee_facility_usd,
    nonfacility_na,
    facility_na,
    parts_capped(nonfacility) AS is_opps_capped_nonfacility,
    parts_capped(facility) AS is_opps_capped_facility
FROM priced
