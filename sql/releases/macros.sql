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

-- Whether a code has OPPS RVUs (the "USED FOR OPPS" columns are populated).
CREATE OR REPLACE MACRO has_opps_rvus(opps_nonfacility_pe_rvu, opps_facility_pe_rvu, opps_mp_rvu) AS
    opps_nonfacility_pe_rvu + opps_facility_pe_rvu + opps_mp_rvu > 0;
