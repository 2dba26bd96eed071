-- audit rvu_totals: rows of rvu whose published totals differ from the sum of their components.
-- grain: one row per offending HCPCS x modifier; must return zero rows.
SELECT hcpcs, modifier, work_rvu, nonfacility_pe_rvu, facility_pe_rvu, mp_rvu,
       nonfacility_total_rvu, facility_total_rvu
FROM rvu
WHERE nonfacility_total_rvu <> work_rvu + nonfacility_pe_rvu + mp_rvu
   OR facility_total_rvu <> work_rvu + facility_pe_rvu + mp_rvu
