-- fee_national: one row per HCPCS x modifier x conversion factor variant of the release.
-- inputs: rvu, conversion_factor (non_qp; from 2026 also qp).
-- National amount = (work + PE + MP RVU) x CF per setting, rounded to cents once; null for a status the
-- PFS does not pay (see is_payable). The NA flags ride beside amounts that CMS still prints. Beside each fee, a
-- non-participating provider's and its limiting charge (nonpar_usd, limiting_charge_usd).
WITH fees AS (
    SELECT
        r.hcpcs,
        r.modifier,
        c.cf_variant,
        r.status_code,
        CASE WHEN is_payable(r.status_code)
            THEN usd((r.work_rvu + r.nonfacility_pe_rvu + r.mp_rvu) * c.conversion_factor_usd) END AS fee_nonfacility_usd,
        CASE WHEN is_payable(r.status_code)
            THEN usd((r.work_rvu + r.facility_pe_rvu + r.mp_rvu) * c.conversion_factor_usd) END AS fee_facility_usd,
        r.nonfacility_na,
        r.facility_na,
        c.conversion_factor_usd
    FROM rvu AS r
    CROSS JOIN conversion_factor AS c
)
SELECT
    * EXCLUDE (conversion_factor_usd),
    nonpar_usd(fee_nonfacility_usd) AS fee_nonfacility_nonpar_usd,
    nonpar_usd(fee_facility_usd) AS fee_facility_nonpar_usd,
    limiting_charge_usd(fee_nonfacility_usd) AS limiting_charge_nonfacility_usd,
    limiting_charge_usd(fee_facility_usd) AS limiting_charge_facility_usd,
    conversion_factor_usd
FROM fees
ORDER BY hcpcs, modifier, cf_variant
