-- line_reasons: one row per priced claim line (grain: claim line with line_status 'priced'): every rule that set its
-- amount, in words (said), each naming the share shared (6_shared.sql) chose and, for a dated share, the day it took
-- effect. Nothing here changes an amount. inputs: shared, line_amounts.
CREATE OR REPLACE TEMP VIEW line_reasons AS
SELECT
    s.input_row,
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
             CASE s.split_modifier
                 WHEN '54' THEN format('surgical care only (modifier 54): the pre- and intra-operative shares, {}% of '
                                       'the global fee', percent(s.split_share))
                 WHEN '55' THEN format('post-operative care only (modifier 55): {} of {} days of the post-operative '
                                       'share ({}%), {}% of the global fee', s.care_days, post_op_days(s.global_days),
                                       percent(s.postop_share), percent(s.split_share))
                 WHEN '56' THEN format('pre-operative care only (modifier 56): {}% of the global fee',
                                       percent(s.split_share))
                 WHEN '78' THEN format('return to the operating room (modifier 78): the intra-operative share, {}% of '
                                       'the global fee', percent(s.split_share)) END,
             CASE WHEN s.row_modifier = '53' THEN 'discontinued procedure (modifier 53): PPRRVU''s own 53 row' END,
             CASE WHEN s.tc_equipment_share <> 1 AND s.technical_fee IS NOT NULL
                  THEN format('technical component at {}% ({}: {}){}', percent(s.tc_equipment_share), s.tc_modifier,
                              s.tc_meaning, since(s.tc_equipment_since)) END,
             CASE WHEN s.bilateral_by IS NOT NULL THEN format('bilateral ({}, BILAT SURG {}): {}% of the fee',
                  s.bilateral_by, s.bilat_surg_ind, percent(s.bilateral_share)) END,
             CASE WHEN list_contains(s.mods, '50') AND s.bilateral_indicator_share IS NULL
                  THEN format('modifier 50: bilateral payment does not apply (BILAT SURG {})', s.bilat_surg_ind) END,
             CASE WHEN a.within_family AND s.code = s.family
                  THEN 'base endoscopy billed with another of its family: included in that one''s payment'
                  WHEN a.within_family THEN format('endoscopy in the family of {}: its fee less the base''s (${})',
                  s.family, CAST(s.base_fee AS VARCHAR)) END,
             CASE WHEN s.role = 'assistant' AND s.role_modifier = getvariable('npp_assistant')
                  THEN format('assistant at surgery by a non-physician practitioner ({}): {}% of the fee',
                              s.role_modifier, percent(s.role_share))
                  WHEN s.role = 'assistant'
                  THEN format('assistant at surgery (modifier {}): {}% of the fee', s.role_modifier,
                              percent(s.role_share))
                  WHEN s.role = 'co_surgeon'
                  THEN format('co-surgeon (modifier {}): {}% of the fee', s.role_modifier, percent(s.role_share)) END,
             CASE WHEN s.practitioner_share <> 1
                  THEN format('non-physician practitioner: {}%', percent(s.practitioner_share)) END,
             CASE WHEN list_has_any(s.mods, getvariable('therapy_assistant'))
                  THEN format('therapy assistant ({}): {}%{}',
                              array_to_string(list_intersect(getvariable('therapy_assistant'), s.mods), '/'),
                              percent(s.therapy_share), since(s.therapy_since)) END,
             CASE WHEN NOT s.participating
                  THEN format('non-participating provider: {}% of the fee schedule amount',
                              percent(s.participation_share)) END,
             CASE WHEN coalesce(len(a.reduced_ranks), 0) = 0 THEN NULL
                  WHEN s.ranks = 'procedure'
                  THEN format('{} (MULT PROC {}): {}% as procedure {} of the claim that day{}', s.class_name,
                              s.mult_proc_ind, percent(s.others), array_to_string(a.reduced_ranks, ', '),
                              since(s.others_since))
                  ELSE format('{} (MULT PROC {}): practice expense at {}% after the unit with the most{}', s.class_name,
                              s.mult_proc_ind, percent(s.others), since(s.others_since)) END,
             CASE WHEN coalesce(len(a.reduced_tc_ranks), 0) > 0
                  THEN format('multiple {} (MULT PROC {}): technical component at {}% as technical component {} of '
                              'the claim that day{}', s.class_name, s.mult_proc_ind, percent(s.tc_others),
                              array_to_string(a.reduced_tc_ranks, ', '), since(s.tc_others_since)) END,
             CASE WHEN coalesce(len(a.reduced_pc_ranks), 0) > 0
                  THEN format('multiple {} (MULT PROC {}): professional component at {}% as professional component {} '
                              'of the claim that day{}', s.class_name, s.mult_proc_ind, percent(s.pc_others),
                              array_to_string(a.reduced_pc_ranks, ', '), since(s.pc_others_since)) END
         ) END AS said
FROM shared AS s
JOIN line_amounts AS a USING (input_row)
