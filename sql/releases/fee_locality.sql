-- fee_locality: one row per HCPCS x modifier x MAC x locality x conversion factor variant of the release
-- (every rvu row in every gpci locality, at each conversion factor). inputs: rvu, gpci, conversion_factors.
-- Fee = min(PFS amount, OPPS amount) per setting, where the OPPS amount uses the work RVU and the
-- "USED FOR OPPS" PE and MP RVUs and exists only for rows whose OPPS columns are populated.
-- Null for a status the PFS does not pay.
-- pfs.duckdb computes the same fees for every release in the view sql/releases/views/fee_locality.sql (same macros).
-- Rows come in key order (HCPCS, modifier, MAC, locality, variant), sorted on one integer made of the
-- three small ordinals (fewer than 1000 localities, 10 variants): cheaper than sorting by five strings.
WITH r AS (SELECT *, row_number() OVER (ORDER BY hcpcs, modifier) AS rvu_order FROM rvu),
g AS (SELECT *, row_number() OVER (ORDER BY mac, locality) AS gpci_order FROM gpci),
c AS (SELECT *, row_number() OVER (ORDER BY cf_variant) AS cf_order FROM conversion_factors),
priced AS (
    SELECT
        (r.rvu_order * 1000 + g.gpci_order) * 10 + c.cf_order AS row_order,
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
    FROM r
    CROSS JOIN g
    CROSS JOIN c
)
SELECT
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
ORDER BY row_order
