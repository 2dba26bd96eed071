-- priced_row: one row per claim line (grain: claim line): its PPRRVU row's indicators, and the fees in its locality
-- and setting of that row, of the code's 26 and TC rows, and of its endoscopic family's base code. The setting paid
-- is the place's, or the facility rate where CMS marks the non-facility setting NA. inputs: placed, rvu, gpci,
-- conversion_factor (of the variable variant), bilateral_policy (TEMP, config/pricing.toml [bilateral]); the macros of
-- sql/releases/macros.sql (setting_parts: the arithmetic of fee_locality).
CREATE OR REPLACE TEMP VIEW priced_row AS
WITH cf AS (SELECT release, conversion_factor_usd AS cf FROM conversion_factor WHERE cf_variant = getvariable('variant')),
code_rows AS (
    SELECT release, hcpcs, string_agg(CASE WHEN modifier = '' THEN '(none)' ELSE modifier END, ', ' ORDER BY modifier)
        AS rows_of_code
    FROM rvu GROUP BY ALL
),
endo_bases AS (SELECT DISTINCT release, endo_base FROM rvu WHERE mult_proc_ind = '3' AND endo_base <> ''),
gpci_releases AS (SELECT DISTINCT release FROM gpci),
-- the line's own PPRRVU row (u, as a struct), and its endoscopic family: its base code (MULT PROC 3: CMS's endoscopy families), or the
-- code itself when it is a family's base
rowed AS (
    SELECT
        p.*,
        u,
        CASE WHEN u.mult_proc_ind = '3' THEN u.endo_base WHEN eb.endo_base IS NOT NULL THEN p.code END AS family
    FROM placed AS p
    LEFT JOIN rvu AS u ON u.release = p.release AND u.hcpcs = p.code AND u.modifier = p.row_modifier
    LEFT JOIN endo_bases AS eb ON eb.release = p.release AND eb.endo_base = p.code
),
found AS (
    SELECT
        p.* EXCLUDE (u),
        u.hcpcs IS NOT NULL AS row_known,
        u.status_code, u.not_used_for_medicare_payment, u.mult_proc_ind, u.bilat_surg_ind, u.asst_surg_ind,
        u.co_surg_ind, u.team_surg_ind, u.preop_share, u.intraop_share, u.postop_share, u.nonfacility_na, u.facility_na,
        u.global_days, u.pctc_ind,
        p.setting = 'facility' OR (p.setting = 'nonfacility' AND u.nonfacility_na) AS facility,
        g.mac IS NOT NULL AS locality_known,
        gr.release IS NOT NULL AS release_has_gpci,
        cf.cf IS NOT NULL AS cf_known,
        -- the share BILAT SURG pays a bilateral procedure; null where it has no bilateral payment (9)
        bp.share AS bilateral_indicator_share,
        bp.two_units_bilateral,
        setting_parts(u, g, cf.cf, facility) AS parts,
        setting_parts(pc, g, cf.cf, facility) AS pc_parts,
        setting_parts(tc, g, cf.cf, facility) AS tc_parts,
        setting_parts(b, g, cf.cf, facility) AS base_parts,
        setting_pe_rvu(u, facility, false) * g.pe_gpci * cf.cf AS pe_amount,
        cr.rows_of_code
    FROM rowed AS p
    LEFT JOIN rvu AS pc ON pc.release = p.release AND pc.hcpcs = p.code AND pc.modifier = '26'
    LEFT JOIN rvu AS tc ON tc.release = p.release AND tc.hcpcs = p.code AND tc.modifier = 'TC'
    LEFT JOIN rvu AS b ON b.release = p.release AND b.modifier = p.row_modifier AND b.hcpcs = p.family
    LEFT JOIN gpci AS g ON g.release = p.release AND g.mac = p.mac AND g.locality = p.locality
    LEFT JOIN gpci_releases AS gr ON gr.release = p.release
    LEFT JOIN cf ON cf.release = p.release
    LEFT JOIN code_rows AS cr ON cr.release = p.release AND cr.hcpcs = p.code
    LEFT JOIN bilateral_policy AS bp ON bp.indicator = u.bilat_surg_ind
)
SELECT
    * EXCLUDE (parts, pc_parts, tc_parts, base_parts),
    parts_fee(parts) AS fee,
    parts_capped(parts) AS opps_capped,
    parts_fee(pc_parts) AS pc_fee,
    parts_fee(tc_parts) AS tc_fee,
    parts_fee(base_parts) AS base_fee,
    -- the line's technical and professional parts: the whole fee of a TC or 26 line (and of a technical-only code,
    -- PCTC 3), the TC and 26 rows' fees of a global line; null where the line has no such part
    CASE WHEN row_modifier = 'TC' OR pctc_ind = '3' THEN fee WHEN row_modifier = '' THEN tc_fee END AS technical_fee,
    CASE WHEN row_modifier = '26' THEN fee WHEN row_modifier = '' THEN pc_fee END AS professional_fee
FROM found
