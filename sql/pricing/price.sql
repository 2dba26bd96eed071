-- price: one row per claim line of claim_input (grain: claim line), the line priced as a Medicare contractor
-- would under the release in force on its date of service, or the reasons it is not priced.
-- inputs: claim_input (the claims file's lines, any column types; input_row their position), release_validity, rvu, gpci,
-- conversion_factor (of $variant), zip_validity, zip_locality; the macros of sql/releases/macros.sql and
-- sql/pricing/macros.sql; pricing_policy (the shares of config/pricing.toml in force over each stretch of days) and
-- the parameters of config/pricing.toml (docs/pricing.md gives each rule and its source).
-- Every amount is an exact decimal; a line is rounded to cents once, at the end. Written out without input_row
-- and input_problem (whether the line could not be read).
WITH
-- 1. the line as given (any column type, read as text), read into types; what cannot be read is an input
-- problem, named
given AS (
    SELECT
        input_row,
        CAST(claim_id AS VARCHAR) AS claim_id, CAST(line AS VARCHAR) AS line, CAST(hcpcs AS VARCHAR) AS hcpcs,
        CAST(modifiers AS VARCHAR) AS modifiers, CAST(units AS VARCHAR) AS units,
        -- a numeric column drops leading zeros (place 02, MAC 01112, ZIP 02101): put them back
        zero_padded(place_of_service, 2) AS place_of_service, CAST(date_of_service AS VARCHAR) AS date_of_service,
        zero_padded(zip, 5) AS zip, zero_padded(mac, 5) AS mac,
        CAST(locality AS VARCHAR) AS locality,
        CAST(provider_kind AS VARCHAR) AS provider_kind, CAST(charge_usd AS VARCHAR) AS charge_usd,
        CAST(participating AS VARCHAR) AS participating
    FROM claim_input
),
lines AS (
    SELECT
        input_row,
        trim(line) AS line_number,
        coalesce(trim(claim_id), '') AS claim_key,
        upper(trim(hcpcs)) AS code,
        CASE WHEN trim(coalesce(modifiers, '')) = '' THEN []::VARCHAR[]
             ELSE string_split_regex(upper(trim(modifiers)), '\s+') END AS mods,
        -- whole numbers only: a cast would round 2.5 units to 3
        CASE WHEN regexp_full_match(trim(units), '\d+(\.0*)?') THEN TRY_CAST(trim(units) AS INTEGER) END AS unit_count,
        trim(place_of_service) AS pos,
        TRY_CAST(trim(date_of_service) AS DATE) AS dos,
        regexp_extract(trim(coalesce(zip, '')), '^(\d{5})(?:-?(\d{4}))?$', 1) AS zip5,
        nullif(trim(coalesce(mac, '')), '') AS mac_given,
        nullif(trim(coalesce(locality, '')), '') AS locality_given,
        lower(coalesce(nullif(trim(provider_kind), ''), 'physician')) AS kind,
        TRY_CAST(nullif(trim(coalesce(charge_usd, '')), '') AS DECIMAL(14, 2)) AS charge,
        participation(participating) AS participating,
        nullif(concat_ws('; ',
            CASE WHEN trim(coalesce(claim_id, '')) = '' THEN 'claim_id is empty' END,
            CASE WHEN NOT regexp_full_match(upper(trim(coalesce(hcpcs, ''))), '[A-Z0-9]{5}')
                 THEN format('hcpcs "{}" is not a HCPCS code (five letters or digits)', coalesce(hcpcs, '')) END,
            CASE WHEN NOT regexp_full_match(trim(coalesce(units, '')), '\d+(\.0*)?')
                      OR coalesce(TRY_CAST(trim(units) AS INTEGER), 0) < 1
                 THEN format('units "{}" is not a whole number of 1 or more', coalesce(units, '')) END,
            CASE WHEN len(string_split_regex(trim(coalesce(modifiers, '')), '\s+')) > 4
                 THEN format('modifiers "{}": more than four', modifiers) END,
            CASE WHEN NOT regexp_full_match(trim(coalesce(place_of_service, '')), '\d\d')
                 THEN format('place_of_service "{}" is not two digits', coalesce(place_of_service, '')) END,
            CASE WHEN TRY_CAST(trim(date_of_service) AS DATE) IS NULL
                 THEN format('date_of_service "{}" is not a date (YYYY-MM-DD)', coalesce(date_of_service, '')) END,
            CASE WHEN trim(coalesce(zip, '')) <> '' AND NOT regexp_full_match(trim(zip), '\d{5}(-?\d{4})?')
                 THEN format('zip "{}" is not a ZIP code (ZIP5 or ZIP+4)', zip)
                 WHEN trim(coalesce(zip, '')) = ''
                      AND (nullif(trim(coalesce(mac, '')), '') IS NULL OR nullif(trim(coalesce(locality, '')), '') IS NULL)
                 THEN 'no place of service location: give zip, or mac and locality' END,
            CASE WHEN lower(coalesce(nullif(trim(provider_kind), ''), 'physician')) NOT IN ('physician', 'npp')
                 THEN format('provider_kind "{}" is not physician or npp', provider_kind) END,
            CASE WHEN nullif(trim(coalesce(charge_usd, '')), '') IS NOT NULL
                      AND TRY_CAST(trim(charge_usd) AS DECIMAL(14, 2)) IS NULL
                 THEN format('charge_usd "{}" is not an amount', charge_usd) END,
            CASE WHEN participation(participating) IS NULL
                 THEN format('participating "{}" is not yes or no', participating) END
        ), '') AS input_problems
    FROM given
),
-- 2. the release in force on the date of service, the place (a MAC and locality, or the ZIP's) and setting;
-- a release (and a ZIP file) is found by its days, a hash join, rather than by a range join on every line
release_days AS (
    SELECT release, unnest(generate_series(valid_from, coalesce(valid_to, DATE '2099-12-31'), INTERVAL 1 DAY))::DATE AS day
    FROM release_validity
),
-- the shares of config/pricing.toml in force on each day a release covers: found by a hash join on the day,
-- rather than a range join on every line
policy_days AS (
    SELECT d.day, p.* EXCLUDE (valid_from, valid_to)
    FROM (SELECT DISTINCT day FROM release_days) AS d
    JOIN pricing_policy AS p ON d.day BETWEEN p.valid_from AND p.valid_to
),
-- the codes PPRRVU prices discontinued (modifier 53) on a row of their own
discontinued_rows AS (SELECT DISTINCT release, hcpcs FROM rvu WHERE modifier = '53'),
zip_days AS (
    SELECT year_quarter, unnest(generate_series(valid_from, coalesce(valid_to, DATE '2099-12-31'), INTERVAL 1 DAY))::DATE
        AS day
    FROM zip_validity
),
placed AS (
    SELECT
        l.*,
        v.release,
        coalesce(l.mac_given, z.mac) AS mac,
        coalesce(lpad(l.locality_given, 2, '0'), z.locality) AS locality,
        z.plus_four_required,
        l.zip5 <> '' AND z.zip5 IS NULL AS zip_unknown,
        zv.year_quarter,
        CASE WHEN list_contains(l.mods, '26') THEN '26' WHEN list_contains(l.mods, 'TC') THEN 'TC'
             WHEN list_contains(l.mods, '53') AND d.hcpcs IS NOT NULL THEN '53' ELSE '' END AS row_modifier,
        -- the facility places in force on the date of service (config/places_of_service.toml)
        CASE WHEN len(list_filter($facility_places,
                                  lambda f: f.place = l.pos AND l.dos BETWEEN f.valid_from AND f.valid_to)) > 0
             THEN 'facility' ELSE 'nonfacility' END AS setting
    FROM lines AS l
    LEFT JOIN release_days AS v ON v.day = l.dos
    LEFT JOIN zip_days AS zv ON l.mac_given IS NULL AND l.zip5 <> '' AND zv.day = l.dos
    LEFT JOIN zip_locality AS z ON z.year_quarter = zv.year_quarter AND z.zip5 = l.zip5
    LEFT JOIN discontinued_rows AS d ON d.release = v.release AND d.hcpcs = l.code
),
cf AS (SELECT release, conversion_factor_usd AS cf FROM conversion_factor WHERE cf_variant = $variant),
code_rows AS (
    SELECT release, hcpcs, string_agg(CASE WHEN modifier = '' THEN '(none)' ELSE modifier END, ', ' ORDER BY modifier)
        AS rows_of_code
    FROM rvu GROUP BY ALL
),
gpci_releases AS (SELECT DISTINCT release FROM gpci),
endo_bases AS (SELECT DISTINCT release, endo_base FROM rvu WHERE mult_proc_ind = '3' AND endo_base <> ''),
-- 3. the PPRRVU row the line is priced on (26 or TC when the line carries it), its 26 and TC rows and its
-- endoscopic family's base code; each one's fee in the locality, in the setting paid: the place's, or the
-- facility rate where CMS marks the non-facility setting NA
priced_row AS (
    SELECT
        p.*,
        u.hcpcs IS NOT NULL AS row_known,
        u.status_code, u.not_used_for_medicare_payment, u.mult_proc_ind, u.bilat_surg_ind, u.asst_surg_ind,
        u.co_surg_ind, u.team_surg_ind, u.preop_share, u.intraop_share, u.postop_share, u.nonfacility_na, u.facility_na,
        u.global_days, u.pctc_ind,
        CASE WHEN u.mult_proc_ind = '3' THEN u.endo_base WHEN eb.endo_base IS NOT NULL THEN p.code END AS family,
        p.setting = 'facility' OR (p.setting = 'nonfacility' AND u.nonfacility_na) AS facility,
        g.mac IS NOT NULL AS locality_known,
        cf.cf IS NOT NULL AS cf_known,
        parts_fee(setting_parts(u, g, cf.cf, facility)) AS fee,
        parts_capped(setting_parts(u, g, cf.cf, facility)) AS opps_capped,
        parts_fee(setting_parts(pc, g, cf.cf, facility)) AS pc_fee,
        parts_fee(setting_parts(tc, g, cf.cf, facility)) AS tc_fee,
        parts_fee(setting_parts(b, g, cf.cf, facility)) AS base_fee,
        (CASE WHEN facility THEN u.facility_pe_rvu ELSE u.nonfacility_pe_rvu END) * g.pe_gpci * cf.cf AS pe_amount,
        cr.rows_of_code
    FROM placed AS p
    LEFT JOIN rvu AS u ON u.release = p.release AND u.hcpcs = p.code AND u.modifier = p.row_modifier
    LEFT JOIN endo_bases AS eb ON eb.release = p.release AND eb.endo_base = p.code
    LEFT JOIN rvu AS pc ON pc.release = p.release AND pc.hcpcs = p.code AND pc.modifier = '26'
    LEFT JOIN rvu AS tc ON tc.release = p.release AND tc.hcpcs = p.code AND tc.modifier = 'TC'
    LEFT JOIN rvu AS b
        ON b.release = p.release AND b.modifier = p.row_modifier
           AND b.hcpcs = CASE WHEN u.mult_proc_ind = '3' THEN u.endo_base WHEN eb.endo_base IS NOT NULL THEN p.code END
    LEFT JOIN gpci AS g ON g.release = p.release AND g.mac = p.mac AND g.locality = p.locality
    LEFT JOIN cf ON cf.release = p.release
    LEFT JOIN code_rows AS cr ON cr.release = p.release AND cr.hcpcs = p.code
),
-- 4. status T lines are paid only when no other paid service is on the claim that day
t_days AS (SELECT DISTINCT claim_key, dos FROM priced_row WHERE status_code = 'T'),
t_refused AS (
    SELECT DISTINCT p.claim_key, p.dos
    FROM priced_row AS p SEMI JOIN t_days AS t ON t.claim_key = p.claim_key AND t.dos = p.dos
    WHERE p.status_code <> 'T' AND list_contains($paid_statuses, p.status_code) AND p.input_problems IS NULL
),
-- 5. whether the line can be priced at all: the first reason it cannot, in the order a contractor checks
judged AS (
    SELECT
        p.*,
        -- [status, reason]: the first reason the line cannot be priced, in the order a contractor checks
        CASE
            WHEN p.input_problems IS NOT NULL THEN ['not_priced', p.input_problems]
            WHEN p.release IS NULL THEN ['not_priced', format('no release of the lake covers the date of service {}', p.dos)]
            WHEN p.mac_given IS NULL AND p.year_quarter IS NULL
                THEN ['not_priced', format('no ZIP code file of the lake is in force on {}: give mac and locality', p.dos)]
            WHEN p.zip_unknown THEN ['not_priced', format('ZIP {} is not in the {} ZIP code file', p.zip5, p.year_quarter)]
            WHEN p.mac_given IS NULL AND p.plus_four_required
                THEN ['not_priced', format('ZIP {} is split between localities by ZIP+4 (CMS''s ZIP9 file), which '
                                           'the lake does not hold: give mac and locality', p.zip5)]
            WHEN p.rows_of_code IS NULL THEN ['not_priced', format('{} is not a code of release {}', p.code, p.release)]
            WHEN NOT p.row_known THEN ['not_priced', format('modifier {} is not valid for {} in {} (its rows: {})',
                                                            p.row_modifier, p.code, p.release, p.rows_of_code)]
            WHEN gr.release IS NULL
                THEN ['not_priced', format('the lake''s copy of {} has no GPCI file, so no locality fees', p.release)]
            WHEN NOT p.locality_known
                THEN ['not_priced', format('MAC {} locality {} is not a locality of {}', p.mac, p.locality, p.release)]
            WHEN NOT p.cf_known
                THEN ['not_priced', format('{} has no conversion factor of variant {}', p.release, $variant)]
            WHEN p.not_used_for_medicare_payment
                THEN ['not_priced', 'CMS publishes RVUs for this code but does not use them for Medicare payment']
            WHEN list_contains($by_report_statuses, p.status_code)
                THEN ['by_report', format('status {}: the contractor prices this code (by report)', p.status_code)]
            WHEN NOT list_contains($paid_statuses, p.status_code)
                THEN ['not_priced', format('status {}: not paid under the physician fee schedule', p.status_code)]
            WHEN p.fee IS NULL
                THEN ['not_priced', format('{} has no fee in MAC {} locality {} of {}', p.code, p.mac, p.locality,
                                           p.release)]
            WHEN t.claim_key IS NOT NULL
                THEN ['not_priced', 'status T: not paid when another physician fee schedule service is paid on the '
                                    'claim that day']
            WHEN list_has_any(p.mods, $by_report_modifiers)
                THEN ['by_report', format('modifier {}: {} services, priced by the contractor from the '
                                          'documentation (by report)',
                                          CASE WHEN list_contains(p.mods, '22') THEN '22' ELSE '52' END,
                                          CASE WHEN list_contains(p.mods, '22') THEN 'increased' ELSE 'reduced' END)]
            WHEN list_contains(p.mods, '53') AND p.row_modifier <> '53'
                THEN ['by_report', format('modifier 53 (discontinued procedure): priced by report (PPRRVU has no 53 '
                                          'row for {})', p.code)]
            WHEN len(list_intersect(p.mods, ['54', '55', '56', '78'])) > 1
                THEN ['not_priced', format('modifiers {}: one global surgery split a line (bill each on its own line)',
                                           array_to_string(list_intersect(p.mods, ['54', '55', '56', '78']), ' and '))]
            WHEN (list_contains(p.mods, '54') AND coalesce(p.preop_share + p.intraop_share, 0) = 0)
                 OR (list_contains(p.mods, '56') AND coalesce(p.preop_share, 0) = 0)
                 OR (list_contains(p.mods, '78') AND coalesce(p.intraop_share, 0) = 0)
                THEN ['by_report', format('modifier {}: PPRRVU gives {} no pre-, intra- or post-operative share '
                                          '(GLOB DAYS {}): priced by report', list_intersect(p.mods, ['54', '56', '78'])[1],
                                          p.code, p.global_days)]
            WHEN list_contains(p.mods, '55') AND coalesce(TRY_CAST(p.global_days AS INTEGER), 0) NOT IN (10, 90)
                THEN ['not_priced', format('modifier 55 (post-operative care only): {} has no 10- or 90-day global '
                                           'period (GLOB DAYS {})', p.code, p.global_days)]
            WHEN list_contains(p.mods, $team) AND p.team_surg_ind IN ('1', '2')
                THEN ['by_report', format('modifier 66 (team surgery): priced by report (TEAM SURG {})', p.team_surg_ind)]
            WHEN list_contains(p.mods, $team)
                THEN ['not_priced', format('modifier 66: team surgery is not paid for this code (TEAM SURG {})',
                                           p.team_surg_ind)]
            WHEN (list_has_any(p.mods, $assistant) OR list_contains(p.mods, $npp_assistant)) AND p.asst_surg_ind = '0'
                THEN ['by_report', 'assistant at surgery: paid only with documentation of medical necessity, by '
                                   'report (ASST SURG 0)']
            WHEN (list_has_any(p.mods, $assistant) OR list_contains(p.mods, $npp_assistant)) AND p.asst_surg_ind <> '2'
                THEN ['not_priced', format('assistant at surgery is not paid for this code (ASST SURG {})',
                                           p.asst_surg_ind)]
            WHEN list_contains(p.mods, $co_surgeon) AND p.co_surg_ind = '1'
                THEN ['by_report', 'co-surgeons (modifier 62): paid only with supporting documentation, by report '
                                   '(CO-SURG 1)']
            WHEN list_contains(p.mods, $co_surgeon) AND p.co_surg_ind <> '2'
                THEN ['not_priced', format('co-surgeons are not paid for this code (CO-SURG {})', p.co_surg_ind)]
            ELSE ['priced', NULL]
        END AS verdict,
        verdict[1] AS line_status,
        verdict[2] AS refusal,
        -- bilateral: modifier 50, or two units of a code whose BILAT SURG is 1, 2 or 3 (RT and LT lines: below)
        -- (55's units are days of care, not sides)
        list_contains(p.mods, '50')
            OR (p.unit_count = 2 AND p.bilat_surg_ind IN ('1', '2', '3') AND NOT list_contains(p.mods, '55'))
            AS bilateral
    FROM priced_row AS p
    LEFT JOIN t_refused AS t ON t.claim_key = p.claim_key AND t.dos = p.dos AND p.status_code = 'T'
    LEFT JOIN gpci_releases AS gr ON gr.release = p.release
),
-- 6. one code on two lines of a claim and day, one RT and one LT, is one bilateral procedure: priced on the
-- first of the two lines, the other line priced at nothing with the reason
sides AS (
    SELECT
        claim_key, dos, code, row_modifier, min(input_row) AS payer_row, max(input_row) AS folded_row,
        arg_min(line_number, input_row) AS payer_line, arg_max(line_number, input_row) AS folded_line,
        CASE WHEN count(charge) = 2 THEN sum(charge) END AS both_charges
    FROM judged
    WHERE line_status = 'priced' AND bilat_surg_ind IN ('0', '1', '2', '3') AND unit_count = 1
          AND NOT list_contains(mods, '50') AND NOT list_contains(mods, '55')
          AND list_contains(mods, 'RT') <> list_contains(mods, 'LT')
    GROUP BY claim_key, dos, code, row_modifier
    HAVING count(*) = 2 AND count(*) FILTER (WHERE list_contains(mods, 'RT')) = 1
),
sided AS (
    SELECT
        j.*,
        s.payer_row IS NOT NULL OR j.bilateral AS as_bilateral,
        coalesce(j.input_row = s.folded_row, false) AS folded,
        CASE WHEN j.input_row = s.folded_row THEN s.payer_line ELSE s.folded_line END AS side_line,
        coalesce(CASE WHEN j.input_row = s.payer_row THEN s.both_charges END, j.charge) AS charge_compared,
        -- the procedures ranked against each other: MULT PROC 2 and 3 (standard), 4, 5, 6 and 7
        CASE WHEN j.mult_proc_ind IN ('2', '3') THEN 'standard' WHEN j.mult_proc_ind IN ('4', '5', '6', '7')
             THEN j.mult_proc_ind END AS reduction_class,
        -- who is paid: the surgeon, an assistant, or a co-surgeon; each one's procedures are ranked apart
        CASE WHEN list_has_any(j.mods, $assistant) OR list_contains(j.mods, $npp_assistant) THEN 'assistant'
             WHEN list_contains(j.mods, $co_surgeon) THEN 'co_surgeon' ELSE 'surgeon' END AS role
    FROM judged AS j
    LEFT JOIN sides AS s
        ON s.claim_key = j.claim_key AND s.dos = j.dos AND s.code = j.code AND s.row_modifier = j.row_modifier
           AND j.input_row IN (s.payer_row, s.folded_row)
    WHERE j.line_status = 'priced'
),
-- 7. the shares the line's modifiers set, and each unit the multiple procedure rules rank (other lines are
-- priced as fee x units)
shared AS (
    SELECT
        s.*,
        -- the global surgery split: 54 surgical care only (pre- and intra-operative), 55 post-operative care only
        -- (its share for the days given in units, of the global period's), 56 pre-operative only, 78 return to the
        -- operating room (intra-operative): ch. 12 s. 40.2 and 40.4
        CAST(CASE WHEN list_contains(s.mods, '54') THEN s.preop_share + s.intraop_share
                  WHEN list_contains(s.mods, '55')
                  THEN exact(s.postop_share * least(s.unit_count, TRY_CAST(s.global_days AS INTEGER)))
                       / TRY_CAST(s.global_days AS INTEGER)
                  WHEN list_contains(s.mods, '56') THEN s.preop_share
                  WHEN list_contains(s.mods, '78') THEN s.intraop_share ELSE 1 END AS DECIMAL(18, 12)) AS split_share,
        -- a technical component taken on film (FX), by computed radiography (FY) or on CT equipment short of NEMA
        -- XR-29 (CT) is reduced
        CAST(CASE WHEN list_contains(s.mods, 'FX') THEN s.film_xray_tc WHEN list_contains(s.mods, 'FY')
                  THEN s.computed_radiography_tc WHEN list_contains(s.mods, 'CT') THEN s.ct_equipment_tc ELSE 1 END
             AS DECIMAL(9, 6)) AS tc_equipment_share,
        CAST(CASE WHEN NOT s.as_bilateral THEN 1 WHEN s.bilat_surg_ind = '0' THEN $bilateral_0
                  WHEN s.bilat_surg_ind = '1' THEN $bilateral_1 WHEN s.bilat_surg_ind = '2' THEN $bilateral_2
                  WHEN s.bilat_surg_ind = '3' THEN $bilateral_3 ELSE 1 END AS DECIMAL(9, 6)) AS bilateral_share,
        -- an NPP assisting (AS) is paid 85% of the assistant's 16%, with no other NPP reduction on top
        CAST(CASE WHEN s.role = 'assistant' THEN s.assistant_share
                      * CASE WHEN list_contains(s.mods, $npp_assistant) THEN s.npp_assistant_share ELSE 1 END
                  WHEN s.role = 'co_surgeon' THEN s.co_surgeon_share ELSE 1 END
             * CASE WHEN s.kind = 'npp' AND NOT list_contains(s.mods, $npp_assistant) THEN s.npp_share ELSE 1 END
             * CASE WHEN list_has_any(s.mods, $therapy_assistant) THEN s.therapy_assistant_share ELSE 1 END
             * CASE WHEN NOT s.participating THEN nonpar_share() ELSE 1 END
             AS DECIMAL(18, 12)) AS payee_share,
        -- modifier 55's units are days of post-operative care, not services
        CASE WHEN s.as_bilateral OR s.folded OR list_contains(s.mods, '55') THEN 1 ELSE s.unit_count END AS paid_units,
        -- the share of each procedure after the first that its MULT PROC class pays: of its technical part for 4, 6
        -- and 7, and for 4 of its professional part too, ranked apart
        CASE s.reduction_class WHEN '4' THEN s.imaging_tc_others WHEN '6' THEN s.cardiology_tc_others
                               WHEN '7' THEN s.ophthalmology_tc_others END AS tc_others,
        CASE WHEN s.reduction_class = '4' THEN s.imaging_pc_others END AS pc_others
    FROM (
        -- the shares of config/pricing.toml in force on the date of service (the days each took effect: below)
        SELECT s.*, pol.* EXCLUDE (day)
        FROM sided AS s
        JOIN policy_days AS pol ON pol.day = s.dos
    ) AS s
),
units AS (
    SELECT
        s.*,
        u.unit,
        -- the line's technical and professional parts (a global line holds both: its TC and 26 rows' fees), computed
        -- only where a rule takes from them: exact decimals cost time on every line
        CASE WHEN s.tc_others IS NOT NULL OR s.tc_equipment_share <> 1
             THEN exact(exact(CASE WHEN s.row_modifier = 'TC' OR s.pctc_ind = '3' THEN s.fee
                                   WHEN s.row_modifier = '' THEN coalesce(s.tc_fee, 0) ELSE 0 END)
                        * s.split_share * s.bilateral_share)
        END AS tc_part,
        CASE WHEN s.pc_others IS NOT NULL
             THEN exact(exact(CASE WHEN s.row_modifier = '26' THEN s.fee WHEN s.row_modifier = ''
                                   THEN coalesce(s.pc_fee, 0) ELSE 0 END) * s.split_share * s.bilateral_share)
        END AS pc_part,
        CASE WHEN s.reduction_class = '5' THEN exact(exact(coalesce(s.pe_amount, 0)) * s.split_share * s.bilateral_share)
        END AS pe_base,
        CASE WHEN s.family IS NOT NULL
             THEN exact(exact(coalesce(s.base_fee, 0)) * s.split_share * s.bilateral_share) END AS family_base
    FROM shared AS s, unnest(range(CASE WHEN s.reduction_class IS NULL OR s.folded THEN 1 ELSE s.paid_units END)) AS u(unit)
),
-- the line's amount before any multiple procedure rule: its technical part reduced for FX, FY or CT
unit_amounts AS (
    SELECT
        *,
        CASE WHEN tc_equipment_share = 1 THEN exact(exact(fee) * split_share * bilateral_share)
             ELSE exact(exact(fee) * split_share * bilateral_share - tc_part * (1 - tc_equipment_share)) END AS base,
        CASE WHEN tc_equipment_share = 1 THEN tc_part ELSE exact(tc_part * tc_equipment_share) END AS tc_base
    FROM units
),
-- 8. an endoscopic family (MULT PROC 3, same base code) is one procedure: the highest at its fee, each other
-- at its fee less the base's (the base code itself then adds nothing)
procedures AS (
    SELECT *, base AS unit_value, input_row AS first_row, unit AS first_unit, false AS within_family,
        base AS procedure_value
    FROM unit_amounts WHERE family IS NULL
    UNION ALL BY NAME
    SELECT *, sum(unit_value) OVER (PARTITION BY claim_key, dos, role, family) AS procedure_value,
        min(input_row) OVER (PARTITION BY claim_key, dos, role, family) AS first_row, 0 AS first_unit
    FROM (
        SELECT
            *,
            CASE WHEN row_number() OVER family_order = 1 THEN base ELSE greatest(base - family_base, 0) END AS unit_value,
            row_number() OVER family_order > 1 AS within_family
        FROM unit_amounts WHERE family IS NOT NULL
        WINDOW family_order AS (PARTITION BY claim_key, dos, role, family ORDER BY base DESC, input_row, unit)
    )
),
-- 9. multiple procedures on a claim and date of service, ranked within each MULT PROC class (ties: the line
-- first in the file): standard procedures by their value, therapy units by their PE, and for 4, 6 and 7 the
-- technical parts by their fees and (imaging) the professional parts apart, by theirs
ranked AS (
    SELECT *, 1 AS procedure_rank FROM procedures WHERE reduction_class IS NULL OR folded
    UNION ALL BY NAME
    SELECT
        *,
        dense_rank() OVER (
            PARTITION BY claim_key, dos, role, reduction_class
            ORDER BY CASE reduction_class WHEN 'standard' THEN procedure_value ELSE pe_base END DESC, first_row,
                     first_unit) AS procedure_rank
    FROM procedures WHERE reduction_class IN ('standard', '5') AND NOT folded
    UNION ALL BY NAME
    SELECT
        *,
        CASE WHEN tc_base > 0 THEN dense_rank() OVER (
            PARTITION BY claim_key, dos, role, reduction_class, tc_base > 0 ORDER BY tc_base DESC, first_row, first_unit)
        END AS tc_rank,
        CASE WHEN pc_others IS NOT NULL AND pc_part > 0 THEN dense_rank() OVER (
            PARTITION BY claim_key, dos, role, reduction_class, pc_others IS NOT NULL AND pc_part > 0
            ORDER BY pc_part DESC, first_row, first_unit)
        END AS pc_rank
    FROM procedures WHERE reduction_class IN ('4', '6', '7') AND NOT folded
),
reduced AS (
    SELECT
        input_row,
        CASE
            WHEN folded THEN exact(0)
            WHEN reduction_class = 'standard' AND procedure_rank > 1 THEN exact(unit_value * standard_others)
            WHEN reduction_class = '5' AND procedure_rank > 1 THEN exact(base - pe_base * (1 - therapy_pe_others))
            WHEN reduction_class IN ('4', '6', '7')
                THEN exact(base - CASE WHEN tc_rank > 1 THEN tc_base * (1 - tc_others) ELSE 0 END
                                - CASE WHEN pc_rank > 1 THEN pc_part * (1 - pc_others) ELSE 0 END)
            ELSE unit_value
        END AS amount,
        procedure_rank,
        tc_rank,
        pc_rank,
        reduction_class,
        within_family
    FROM ranked
),
line_amounts AS (
    SELECT
        input_row,
        sum(amount) AS amount,
        max(procedure_rank) > $standard_most AND any_value(reduction_class) = 'standard' AS beyond_most,
        bool_or(within_family) AS within_family,
        list(procedure_rank ORDER BY procedure_rank) FILTER (WHERE procedure_rank > 1) AS reduced_ranks,
        list(tc_rank ORDER BY tc_rank) FILTER (WHERE tc_rank > 1) AS reduced_tc_ranks,
        list(pc_rank ORDER BY pc_rank) FILTER (WHERE pc_rank > 1) AS reduced_pc_ranks
    FROM reduced
    GROUP BY input_row
),
-- 10. the line's allowed amount (the lower of the charge and the amount) and every reason, in words
answered AS (
    SELECT
        s.*,
        CASE WHEN s.payee_share = 1 THEN a.amount ELSE exact(a.amount * s.payee_share) END
            * CASE WHEN s.reduction_class IS NULL THEN s.paid_units ELSE 1 END AS amount,
        a.beyond_most,
        CASE WHEN s.folded THEN format('bilateral with line {} (RT and LT, BILAT SURG {}): paid on line {}',
                                       s.side_line, s.bilat_surg_ind, s.side_line)
             ELSE concat_ws('; ',
                 CASE WHEN s.setting = 'nonfacility' AND s.nonfacility_na
                      THEN 'CMS marks the non-facility setting NA for this code: paid at the facility rate' END,
                 CASE WHEN s.setting = 'facility' AND s.facility_na
                      THEN 'CMS marks the facility setting NA for this code (rarely or never done there): priced at '
                           'the amount its files print' END,
                 CASE WHEN s.opps_capped THEN 'capped at the OPPS amount (PFS amount above the OPPS one)' END,
                 CASE WHEN s.status_code = 'R' THEN 'status R: restricted coverage' END,
                 CASE WHEN s.paid_units > 1 THEN format('{} units', s.paid_units) END,
                 CASE WHEN list_contains(s.mods, '54') THEN format('surgical care only (modifier 54): the pre- and '
                      'intra-operative shares, {}% of the global fee', percent(s.split_share))
                      WHEN list_contains(s.mods, '55') THEN format('post-operative care only (modifier 55): {} of {} '
                      'days of the post-operative share ({}%), {}% of the global fee', least(s.unit_count,
                      TRY_CAST(s.global_days AS INTEGER)), TRY_CAST(s.global_days AS INTEGER), percent(s.postop_share),
                      percent(s.split_share))
                      WHEN list_contains(s.mods, '56') THEN format('pre-operative care only (modifier 56): {}% of the '
                      'global fee', percent(s.split_share))
                      WHEN list_contains(s.mods, '78') THEN format('return to the operating room (modifier 78): the '
                      'intra-operative share, {}% of the global fee', percent(s.split_share)) END,
                 CASE WHEN s.row_modifier = '53' THEN 'discontinued procedure (modifier 53): PPRRVU''s own 53 row' END,
                 CASE WHEN s.tc_equipment_share <> 1 AND (s.row_modifier = 'TC' OR s.pctc_ind = '3'
                                                          OR (s.row_modifier = '' AND s.tc_fee IS NOT NULL))
                      THEN format('technical component at {}% ({}){}',
                      percent(s.tc_equipment_share),
                      CASE WHEN list_contains(s.mods, 'FX') THEN 'FX: X-ray on film'
                           WHEN list_contains(s.mods, 'FY') THEN 'FY: computed radiography'
                           ELSE 'CT: equipment short of NEMA XR-29' END,
                      since(CASE WHEN list_contains(s.mods, 'FX') THEN s.since.film_xray_tc
                                 WHEN list_contains(s.mods, 'FY') THEN s.since.computed_radiography_tc
                                 ELSE s.since.ct_equipment_tc END)) END,
                 CASE WHEN s.as_bilateral THEN format('bilateral ({}, BILAT SURG {}): {}% of the fee',
                      CASE WHEN list_contains(s.mods, '50') THEN 'modifier 50'
                           WHEN s.side_line IS NOT NULL THEN format('RT and LT, with line {}', s.side_line)
                           ELSE '2 units' END, s.bilat_surg_ind, percent(s.bilateral_share)) END,
                 CASE WHEN list_contains(s.mods, '50') AND NOT s.bilat_surg_ind IN ('0', '1', '2', '3')
                      THEN format('modifier 50: bilateral payment does not apply (BILAT SURG {})', s.bilat_surg_ind) END,
                 CASE WHEN a.within_family AND s.code = s.family
                      THEN 'base endoscopy billed with another of its family: included in that one''s payment'
                      WHEN a.within_family THEN format('endoscopy in the family of {}: its fee less the base''s (${})',
                      s.family, CAST(s.base_fee AS VARCHAR)) END,
                 CASE WHEN s.role = 'assistant' AND list_contains(s.mods, $npp_assistant)
                      THEN format('assistant at surgery by a non-physician practitioner (AS): {}% of the fee',
                                  percent(s.assistant_share * s.npp_assistant_share))
                      WHEN s.role = 'assistant'
                      THEN format('assistant at surgery (modifier 80/81/82): {}% of the fee', percent(s.assistant_share))
                      END,
                 CASE WHEN s.role = 'co_surgeon' THEN format('co-surgeon (modifier 62): {}% of the fee',
                                                             percent(s.co_surgeon_share)) END,
                 CASE WHEN s.kind = 'npp' AND NOT list_contains(s.mods, $npp_assistant)
                      THEN format('non-physician practitioner: {}%', percent(s.npp_share)) END,
                 CASE WHEN list_has_any(s.mods, $therapy_assistant)
                      THEN format('therapy assistant (CQ/CO): {}%{}', percent(s.therapy_assistant_share),
                                  since(s.since.therapy_assistant_share)) END,
                 CASE WHEN NOT s.participating
                      THEN format('non-participating provider: {}% of the fee schedule amount',
                                  percent(nonpar_share())) END,
                 CASE WHEN coalesce(len(a.reduced_ranks), 0) = 0 THEN NULL
                      WHEN s.reduction_class = 'standard'
                      THEN format('multiple procedures (MULT PROC {}): {}% as procedure {} of the claim that day',
                                  s.mult_proc_ind, percent(s.standard_others), array_to_string(a.reduced_ranks, ', '))
                      ELSE format('therapy (MULT PROC 5): practice expense at {}% after the unit with the most{}',
                                  percent(s.therapy_pe_others), since(s.since.therapy_pe_others)) END,
                 CASE WHEN coalesce(len(a.reduced_tc_ranks), 0) > 0
                      THEN format('multiple {} (MULT PROC {}): technical component at {}% as technical component {} '
                                  'of the claim that day{}',
                                  CASE s.reduction_class WHEN '4' THEN 'imaging' WHEN '6' THEN 'cardiovascular services'
                                       ELSE 'ophthalmology services' END, s.reduction_class, percent(s.tc_others),
                                  array_to_string(a.reduced_tc_ranks, ', '),
                                  since(CASE s.reduction_class WHEN '4' THEN s.since.imaging_tc_others
                                             WHEN '6' THEN s.since.cardiology_tc_others
                                             ELSE s.since.ophthalmology_tc_others END)) END,
                 CASE WHEN coalesce(len(a.reduced_pc_ranks), 0) > 0
                      THEN format('multiple imaging (MULT PROC 4): professional component at {}% as professional '
                                  'component {} of the claim that day{}', percent(s.pc_others),
                                  array_to_string(a.reduced_pc_ranks, ', '), since(s.since.imaging_pc_others)) END
             ) END AS said
    FROM shared AS s
    JOIN line_amounts AS a USING (input_row)
)
SELECT
    c.* EXCLUDE (mac, locality),
    j.input_problems IS NOT NULL AS input_problem,
    j.release,
    j.mac,
    j.locality,
    CASE WHEN j.input_problems IS NULL THEN replace(j.setting, 'nonfacility', 'non-facility') END AS setting,
    CASE WHEN j.row_known AND j.locality_known THEN j.fee END AS fee_schedule_usd,
    CASE WHEN a.beyond_most THEN NULL
         ELSE CAST(round(least(a.amount, coalesce(a.charge_compared, a.amount)), 2) AS DECIMAL(14, 2)) END AS allowed_usd,
    -- what a non-participating provider not taking assignment may charge at most: 115% of its fee schedule amount
    CASE WHEN a.input_row IS NOT NULL AND NOT a.beyond_most AND NOT a.participating
         THEN CAST(round(a.amount * limiting_charge_share(), 2) AS DECIMAL(14, 2)) END AS limiting_charge_usd,
    CASE WHEN a.beyond_most THEN 'by_report' ELSE j.line_status END AS status,
    CASE WHEN a.input_row IS NULL THEN j.refusal
         WHEN a.beyond_most
             THEN format('more than {} procedures on the claim that day: priced by report', $standard_most)
         ELSE coalesce(nullif(concat_ws('; ', a.said,
             CASE WHEN a.charge_compared < a.amount
                  THEN format('the charge ${}{} is lower than the amount ${}: allowed the charge',
                              CAST(a.charge_compared AS VARCHAR), CASE WHEN a.side_line IS NOT NULL AND NOT a.folded
                                                      THEN ' (both sides)' ELSE '' END,
                              CAST(round(a.amount, 2) AS DECIMAL(14, 2))::VARCHAR) END), ''), 'the fee schedule amount')
    END AS reasons
FROM claim_input AS c
JOIN judged AS j USING (input_row)
LEFT JOIN answered AS a USING (input_row)
ORDER BY c.input_row
