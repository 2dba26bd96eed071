-- pricing macros: one PPRRVU row's fee in one locality and setting, from the lake's macros (sql/releases/macros.sql),
-- so a claim line is priced with exactly the arithmetic of fee_locality. Created TEMP for each pricing
-- connection: pricing reads a lake without changing it.

-- A PPRRVU row's amount (`rvu`, a row of rvu as a struct) in a locality (`gpci`, a row of gpci) and setting
-- (facility when `facility`), unrounded: with the RVUs used for OPPS when `opps`.
CREATE OR REPLACE TEMP MACRO setting_amount(rvu, gpci, cf, facility, opps) AS
    gpci_amount(
        rvu.work_rvu,
        CASE WHEN opps AND facility THEN rvu.opps_facility_pe_rvu WHEN opps THEN rvu.opps_nonfacility_pe_rvu
             WHEN facility THEN rvu.facility_pe_rvu ELSE rvu.nonfacility_pe_rvu END,
        CASE WHEN opps THEN rvu.opps_mp_rvu ELSE rvu.mp_rvu END,
        gpci.work_gpci, gpci.pe_gpci, gpci.mp_gpci, cf);

-- What the row's fee is made of: whether its status is paid, whether it has OPPS RVUs, and its PFS
-- and OPPS amounts, unrounded.
CREATE OR REPLACE TEMP MACRO setting_parts(rvu, gpci, cf, facility) AS {
    'paid': is_payable(rvu.status_code),
    'has_opps': has_opps_rvus(rvu.opps_nonfacility_pe_rvu, rvu.opps_facility_pe_rvu, rvu.opps_mp_rvu),
    'pfs': setting_amount(rvu, gpci, cf, facility, false),
    'opps': setting_amount(rvu, gpci, cf, facility, true)
};

-- The fee of those parts: the OPPS cap applied, rounded to cents; null when the status is not paid.
CREATE OR REPLACE TEMP MACRO parts_fee(parts) AS locality_fee(parts.paid, parts.has_opps, parts.pfs, parts.opps);

-- Whether the OPPS cap set that fee.
CREATE OR REPLACE TEMP MACRO parts_capped(parts) AS is_opps_capped(parts.paid, parts.has_opps, parts.pfs, parts.opps);

-- A code given as a number, its leading zeros put back (2 -> '02'); any other value as text, unchanged.
CREATE OR REPLACE TEMP MACRO zero_padded(value, width) AS
    CASE WHEN regexp_full_match(trim(CAST(value AS VARCHAR)), '\d{1,' || (width - 1) || '}')
         THEN lpad(trim(CAST(value AS VARCHAR)), width, '0')
         ELSE CAST(value AS VARCHAR) END;

-- An amount at the working precision of pricing: exact for cents times every share of config/pricing.toml.
CREATE OR REPLACE TEMP MACRO exact(amount) AS CAST(amount AS DECIMAL(38, 12));
