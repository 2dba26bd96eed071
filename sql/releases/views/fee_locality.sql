-- fee_locality (pfs.duckdb): one row per release x HCPCS x modifier x MAC x locality x conversion factor
-- variant. inputs: rvu, gpci, fee_national (its conversion factor per variant), the macros of sql/releases/macros.sql.
-- The fees the refresh computed and published as Parquet (sql/releases/fee_locality.sql, same macros), computed here
-- when read instead of stored: two million rows per release would make up most of pfs.duckdb and of the
-- time it takes to rebuild it. Unordered: filters on release, hcpcs or locality reach the tables beneath.
WITH c AS (SELECT DISTINCT year, release, cf_variant, conversion_factor_usd FROM fee_national),
priced AS (
    SELECT
        r.year,
        r.release,
        r.hcpcs,
        r.modifier,
        g.mac,
        g.locality,
        g.state,
        c.cf_variant,
        is_payable(r.status_code) AS payable,
        r.nonfacility_na,
        r.facility_na,
        gpci_amount(r.work_rvu, r.nonfacility_pe_rvu, r.mp_rvu, g.work_gpci, g.pe_gpci, g.mp_gpci,
                    c.conversion_factor_usd) AS pfs_nonfacility,
        gpci_amount(r.work_rvu, r.facility_pe_rvu, r.mp_rvu, g.work_gpci, g.pe_gpci, g.mp_gpci,
                    c.conversion_factor_usd) AS pfs_facility,
        has_opps_rvus(r.opps_nonfacility_pe_rvu, r.opps_facility_pe_rvu, r.opps_mp_rvu) AS has_opps,
        gpci_amount(r.work_rvu, r.opps_nonfacility_pe_rvu, r.opps_mp_rvu, g.work_gpci, g.pe_gpci, g.mp_gpci,
                    c.conversion_factor_usd) AS opps_nonfacility,
        gpci_amount(r.work_rvu, r.opps_facility_pe_rvu, r.opps_mp_rvu, g.work_gpci, g.pe_gpci, g.mp_gpci,
                    c.conversion_factor_usd) AS opps_facility
    FROM rvu AS r
    JOIN gpci AS g USING (year, release)
    JOIN c USING (year, release)
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
    locality_fee(payable, has_opps, pfs_nonfacility, opps_nonfacility) AS fee_nonfacility_usd,
    locality_fee(payable, has_opps, pfs_facility, opps_facility) AS fee_facility_usd,
    nonfacility_na,
    facility_na,
    is_opps_capped(payable, has_opps, pfs_nonfacility, opps_nonfacility) AS is_opps_capped_nonfacility,
    is_opps_capped(payable, has_opps, pfs_facility, opps_facility) AS is_opps_capped_facility
FROM priced
