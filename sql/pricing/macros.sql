-- pricing macros: one PPRRVU row's fee in one locality and setting, from the lake's macros (sql/macros.sql),
-- so a claim line is priced with exactly the arithmetic of fee_locality. Created TEMP for each pricing
-- connection: pricing reads a lake without changing it.

-- The row's fee in the setting (facility when `facility`), OPPS cap applied, rounded to cents; null when its
-- status is not paid.
CREATE OR REPLACE TEMP MACRO setting_fee(facility, status_code, work_rvu, nonfacility_pe_rvu, facility_pe_rvu, mp_rvu,
                                          opps_nonfacility_pe_rvu, opps_facility_pe_rvu, opps_mp_rvu,
                                          work_gpci, pe_gpci, mp_gpci, cf) AS
    locality_fee(
        is_payable(status_code),
        has_opps_rvus(opps_nonfacility_pe_rvu, opps_facility_pe_rvu, opps_mp_rvu),
        gpci_amount(work_rvu, CASE WHEN facility THEN facility_pe_rvu ELSE nonfacility_pe_rvu END, mp_rvu,
                    work_gpci, pe_gpci, mp_gpci, cf),
        gpci_amount(work_rvu, CASE WHEN facility THEN opps_facility_pe_rvu ELSE opps_nonfacility_pe_rvu END,
                    opps_mp_rvu, work_gpci, pe_gpci, mp_gpci, cf));

-- Whether the OPPS cap set that fee.
CREATE OR REPLACE TEMP MACRO setting_capped(facility, status_code, work_rvu, nonfacility_pe_rvu, facility_pe_rvu,
                                             mp_rvu, opps_nonfacility_pe_rvu, opps_facility_pe_rvu, opps_mp_rvu,
                                             work_gpci, pe_gpci, mp_gpci, cf) AS
    is_opps_capped(
        is_payable(status_code),
        has_opps_rvus(opps_nonfacility_pe_rvu, opps_facility_pe_rvu, opps_mp_rvu),
        gpci_amount(work_rvu, CASE WHEN facility THEN facility_pe_rvu ELSE nonfacility_pe_rvu END, mp_rvu,
                    work_gpci, pe_gpci, mp_gpci, cf),
        gpci_amount(work_rvu, CASE WHEN facility THEN opps_facility_pe_rvu ELSE opps_nonfacility_pe_rvu END,
                    opps_mp_rvu, work_gpci, pe_gpci, mp_gpci, cf));

-- An amount at the working precision of pricing: exact for cents times every share of config/pricing.toml.
CREATE OR REPLACE TEMP MACRO exact(amount) AS CAST(amount AS DECIMAL(38, 12));
