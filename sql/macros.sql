-- macros: the payment arithmetic, written once (CMS RVU file documentation; docs/lake.md "Fees").
-- Inputs are exact DECIMALs; nothing is rounded until the final dollar amount.

-- Statuses paid under the PFS: A active, R restricted, T paid only when nothing else is billed that day.
CREATE OR REPLACE MACRO is_payable(status_code) AS status_code IN ('A', 'R', 'T');

-- (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x CF, unrounded.
CREATE OR REPLACE MACRO gpci_amount(work_rvu, pe_rvu, mp_rvu, work_gpci, pe_gpci, mp_gpci, cf) AS
    (work_rvu * work_gpci + pe_rvu * pe_gpci + mp_rvu * mp_gpci) * cf;

-- A dollar amount as published: rounded half away from zero to cents.
CREATE OR REPLACE MACRO usd(amount) AS CAST(round(amount, 2) AS DECIMAL(12, 2));
