-- judged: one row per claim line (grain: claim line): whether it is priced, by report or not priced, with the first
-- reason it is not priced in the order a contractor checks (refusal), who is paid for it (role) and the global
-- surgery split it bills (split_modifier). inputs: priced_row; the lists of config/pricing.toml (variables).
CREATE OR REPLACE TEMP TABLE judged AS
WITH roled AS (
    SELECT
        *,
        -- who is paid: the surgeon, an assistant (80, 81, 82; AS an NPP assisting), or a co-surgeon (62); and the
        -- modifier that says so
        CASE WHEN list_has_any(mods, getvariable('assistant')) OR list_contains(mods, getvariable('npp_assistant'))
             THEN 'assistant'
             WHEN list_contains(mods, getvariable('co_surgeon')) THEN 'co_surgeon' ELSE 'surgeon' END AS role,
        list_filter(list_concat(getvariable('assistant'), [getvariable('npp_assistant'), getvariable('co_surgeon')]),
                    lambda m: list_contains(mods, m))[1] AS role_modifier,
        list_intersect(mods, ['54', '55', '56', '78']) AS splits
    FROM priced_row
),
-- status T lines are paid only when no other paid service is on the claim that day
t_days AS (SELECT DISTINCT claim_key, dos FROM roled WHERE status_code = 'T'),
t_refused AS (
    SELECT DISTINCT p.claim_key, p.dos
    FROM roled AS p SEMI JOIN t_days AS t ON t.claim_key = p.claim_key AND t.dos = p.dos
    WHERE p.status_code <> 'T' AND is_payable(p.status_code) AND p.input_problems IS NULL
),
checked AS (
SELECT
    -- what later steps read: the rest served the checks above
    p.* EXCLUDE (splits, pos, zip5, plus_four, mac_given, locality_given, place_given, plus_four_required, zip9_held,
                 plus_four_known, zip_unknown, year_quarter,
                 not_used_for_medicare_payment, asst_surg_ind, co_surg_ind, team_surg_ind, release_has_gpci, cf_known,
                 two_units_bilateral, rows_of_code, pc_fee, tc_fee, pctc_ind),
    splits[1] AS split_modifier,
    CASE
        WHEN p.input_problems IS NOT NULL THEN ['not_priced', p.input_problems]
        WHEN p.release IS NULL THEN ['not_priced', format('no release of the lake covers the date of service {}', p.dos)]
        WHEN NOT p.place_given AND p.year_quarter IS NULL
            THEN ['not_priced', format('no ZIP code file of the lake is in force on {}: give mac and locality', p.dos)]
        WHEN p.zip_unknown THEN ['not_priced', format('ZIP {} is not in the {} ZIP code file', p.zip5, p.year_quarter)]
        WHEN NOT p.place_given AND p.plus_four_required AND NOT p.zip9_held
            THEN ['not_priced', format('ZIP {} is split between localities by its +4, and the lake holds no ZIP9 '
                                       'file of {}: give mac and locality', p.zip5, p.year_quarter)]
        WHEN NOT p.place_given AND p.plus_four_required AND p.plus_four = ''
            THEN ['not_priced', format('ZIP {} is split between localities by its +4: give the ZIP+4 ({}-NNNN), or '
                                       'mac and locality', p.zip5, p.zip5)]
        WHEN NOT p.place_given AND p.plus_four_required AND NOT p.plus_four_known
            THEN ['not_priced', format('ZIP+4 {}-{} is not in CMS''s ZIP9 file of {} (pfs does not guess a +4 the '
                                       'file lacks): give mac and locality', p.zip5, p.plus_four, p.year_quarter)]
        WHEN p.rows_of_code IS NULL THEN ['not_priced', format('{} is not a code of release {}', p.code, p.release)]
        WHEN NOT p.row_known THEN ['not_priced', format('modifier {} is not valid for {} in {} (its rows: {})',
                                                        p.row_modifier, p.code, p.release, p.rows_of_code)]
        WHEN NOT p.release_has_gpci
            THEN ['not_priced', format('the lake''s copy of {} has no GPCI file, so no locality fees', p.release)]
        WHEN NOT p.locality_known
            THEN ['not_priced', format('MAC {} locality {} is not a locality of {}', p.mac, p.locality, p.release)]
        WHEN NOT p.cf_known
            THEN ['not_priced', format('{} has no conversion factor of variant {}', p.release, getvariable('variant'))]
        WHEN p.not_used_for_medicare_payment
            THEN ['not_priced', 'CMS publishes RVUs for this code but does not use them for Medicare payment']
        WHEN list_contains(getvariable('by_report_statuses'), p.status_code)
            THEN ['by_report', format('status {}: the contractor prices this code (by report)', p.status_code)]
        WHEN NOT is_payable(p.status_code)
            THEN ['not_priced', format('status {}: not paid under the physician fee schedule', p.status_code)]
        WHEN p.fee IS NULL
            THEN ['not_priced', format('{} has no fee in MAC {} locality {} of {}', p.code, p.mac, p.locality,
                                       p.release)]
        WHEN t.claim_key IS NOT NULL
            THEN ['not_priced', 'status T: not paid when another physician fee schedule service is paid on the '
                                'claim that day']
        WHEN list_has_any(p.mods, getvariable('by_report_modifiers'))
            THEN ['by_report', format('modifier {}: priced by the contractor from the documentation (by report)',
                                      list_filter(getvariable('by_report_modifiers'),
                                                  lambda m: list_contains(p.mods, m))[1])]
        WHEN list_contains(p.mods, '53') AND p.row_modifier <> '53'
            THEN ['by_report', format('modifier 53 (discontinued procedure): priced by report (PPRRVU has no 53 '
                                      'row for {})', p.code)]
        WHEN len(p.splits) > 1
            THEN ['not_priced', format('modifiers {}: one global surgery split a line (bill each on its own line)',
                                       array_to_string(p.splits, ' and '))]
        WHEN p.splits[1] = '55' AND post_op_days(p.global_days) IS NULL
            THEN ['not_priced', format('modifier 55 (post-operative care only): {} has no 10- or 90-day global '
                                       'period (GLOB DAYS {})', p.code, p.global_days)]
        WHEN p.splits[1] IS NOT NULL
             AND coalesce(split_share(p.splits[1], p.preop_share, p.intraop_share, p.postop_share, 1, p.global_days), 0) = 0
            THEN ['by_report', format('modifier {}: PPRRVU gives {} no pre-, intra- or post-operative share '
                                      '(GLOB DAYS {}): priced by report', p.splits[1], p.code, p.global_days)]
        WHEN list_contains(p.mods, getvariable('team')) AND p.team_surg_ind IN ('1', '2')
            THEN ['by_report', format('modifier {} (team surgery): priced by report (TEAM SURG {})', getvariable('team'),
                                      p.team_surg_ind)]
        WHEN list_contains(p.mods, getvariable('team'))
            THEN ['not_priced', format('modifier {}: team surgery is not paid for this code (TEAM SURG {})',
                                       getvariable('team'), p.team_surg_ind)]
        WHEN p.role = 'assistant' AND p.asst_surg_ind = '0'
            THEN ['by_report', 'assistant at surgery: paid only with documentation of medical necessity, by '
                               'report (ASST SURG 0)']
        WHEN p.role = 'assistant' AND p.asst_surg_ind <> '2'
            THEN ['not_priced', format('assistant at surgery is not paid for this code (ASST SURG {})',
                                       p.asst_surg_ind)]
        WHEN p.role = 'co_surgeon' AND p.co_surg_ind = '1'
            THEN ['by_report', format('co-surgeons (modifier {}): paid only with supporting documentation, by report '
                                      '(CO-SURG 1)', p.role_modifier)]
        WHEN p.role = 'co_surgeon' AND p.co_surg_ind <> '2'
            THEN ['not_priced', format('co-surgeons are not paid for this code (CO-SURG {})', p.co_surg_ind)]
        ELSE ['priced', NULL]
    END AS verdict,
    verdict[1] AS line_status,
    verdict[2] AS refusal,
    -- modifier 55's units are the days of post-operative care given: not services, nor sides
    coalesce(p.splits[1] = '55', false) AS units_are_days,
    -- bilateral on its own line: a code BILAT SURG pays bilateral, with modifier 50, or as two units where two units
    -- are both sides (RT and LT lines: 5_sided.sql)
    CASE WHEN p.bilateral_indicator_share IS NULL THEN NULL
         WHEN list_contains(p.mods, '50') THEN 'modifier 50'
         WHEN p.unit_count = 2 AND p.two_units_bilateral AND NOT units_are_days THEN '2 units' END AS bilateral_by
FROM roled AS p
LEFT JOIN t_refused AS t ON t.claim_key = p.claim_key AND t.dos = p.dos AND p.status_code = 'T'
)
SELECT * EXCLUDE (verdict) FROM checked
