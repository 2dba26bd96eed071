-- macros: the payment arithmetic, written once (CMS RVU file documentation; docs/lake.md "Fees").
-- Inputs are exact DECIMALs; nothing is rounded until the final dollar amount.

-- Statuses paid under the PFS: A active, R restricted, T paid only when nothing else is billed that day.
CREATE OR REPLACE MACRO is_payable(status_code) AS status_code IN ('A', 'R', 'T');

-- (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x CF, unrounded.
CREATE OR REPLACE MACRO gpci_amount(work_rvu, pe_rvu, mp_rvu, work_gpci, pe_gpci, mp_gpci, cf) AS
    (work_rvu * work_gpci + pe_rvu * pe_gpci + mp_rvu * mp_gpci) * cf;

-- A dollar amount as published: rounded half away from zero to cents.
CREATE OR REPLACE MACRO usd(amount) AS CAST(round(amount, 2) AS DECIMAL(12, 2));

-- A locality fee as paid: the PFS amount, capped by the OPPS amount when the code has OPPS RVUs; null for a
-- status the PFS does not pay. Both amounts unrounded (gpci_amount).
CREATE OR REPLACE MACRO locality_fee(payable, has_opps, pfs_amount, opps_amount) AS
    CASE WHEN payable THEN usd(CASE WHEN has_opps THEN least(pfs_amount, opps_amount) ELSE pfs_amount END) END;

-- Whether the OPPS cap set a locality fee: a paid status, OPPS RVUs, and an OPPS amount below the PFS one.
CREATE OR REPLACE MACRO is_opps_capped(payable, has_opps, pfs_amount, opps_amount) AS
    payable AND has_opps AND opps_amount < pfs_amount;

-- A non-participating provider is paid 95% of the fee schedule amount (SSA s. 1848(a)(3)); when it does not take
-- assignment it may charge at most 115% of that, the limiting charge (s. 1848(g)(2)(C)). Both as CMS's look-up tool
-- and the MACs' fee files show them beside the participating fee: from it, rounded to cents.
CREATE OR REPLACE MACRO nonpar_share() AS CAST(0.95 AS DECIMAL(3, 2));
CREATE OR REPLACE MACRO limiting_charge_share() AS CAST(1.15 AS DECIMAL(3, 2));
CREATE OR REPLACE MACRO nonpar_usd(fee) AS usd(fee * nonpar_share());
CREATE OR REPLACE MACRO limiting_charge_usd(fee) AS usd(fee * nonpar_share() * limiting_charge_share());

-- Whether a code has OPPS RVUs (the "USED FOR OPPS" columns are populated).
CREATE OR REPLACE MACRO has_opps_rvus(opps_nonfacility_pe_rvu, opps_facility_pe_rvu, opps_mp_rvu) AS
    opps_nonfacility_pe_rvu + opps_facility_pe_rvu + opps_mp_rvu > 0;

-- A PPRRVU row's (`rvu`, a row of rvu as a struct) practice expense RVU in a setting (facility when `facility`):
-- the one used for OPPS when `opps`.
CREATE OR REPLACE MACRO setting_pe_rvu(rvu, facility, opps) AS
    CASE WHEN opps AND facility THEN rvu.opps_facility_pe_rvu WHEN opps THEN rvu.opps_nonfacility_pe_rvu
         WHEN facility THEN rvu.facility_pe_rvu ELSE rvu.nonfacility_pe_rvu END;

-- A PPRRVU row's amount in a locality (`gpci`, a row of gpci) and setting, unrounded: with the RVUs used for OPPS
-- when `opps`.
CREATE OR REPLACE MACRO setting_amount(rvu, gpci, cf, facility, opps) AS
    gpci_amount(
        rvu.work_rvu, setting_pe_rvu(rvu, facility, opps), CASE WHEN opps THEN rvu.opps_mp_rvu ELSE rvu.mp_rvu END,
        gpci.work_gpci, gpci.pe_gpci, gpci.mp_gpci, cf);

-- What a row's fee in a locality and setting is made of: whether its status is paid, whether it has OPPS RVUs,
-- and its PFS and OPPS amounts, unrounded. fee_locality and the pricer both price through it.
CREATE OR REPLACE MACRO setting_parts(rvu, gpci, cf, facility) AS {
    'paid': is_payable(rvu.status_code),
    'has_opps': has_opps_rvus(rvu.opps_nonfacility_pe_rvu, rvu.opps_facility_pe_rvu, rvu.opps_mp_rvu),
    'pfs': setting_amount(rvu, gpci, cf, facility, false),
    'opps': setting_amount(rvu, gpci, cf, facility, true)
};

-- The fee of those parts: the OPPS cap applied, rounded to cents; null when the status is not paid.
CREATE OR REPLACE MACRO parts_fee(parts) AS locality_fee(parts.paid, parts.has_opps, parts.pfs, parts.opps);

-- Whether the OPPS cap set that fee.
CREATE OR REPLACE MACRO parts_capped(parts) AS is_opps_capped(parts.paid, parts.has_opps, parts.pfs, parts.opps);
