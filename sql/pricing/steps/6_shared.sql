-- shared: one row per priced claim line (grain: claim line with line_status 'priced'): every share its modifiers,
-- its provider and its date of service set, each with what reasons say of it (the day it took effect, its modifier),
-- and its MULT PROC class with that class's shares. The shares of a line's modifiers, payee and class are chosen
-- here (BILAT SURG's share in 3_priced_row.sql, the limiting charge in 9_priced.sql); the amounts (7_line_amounts.sql)
-- and the reasons (8_line_reasons.sql) read these columns. inputs: sided, pricing_days,
-- pricing_class_days, pricing_technical_component_days (sql/pricing/days.sql); the modifiers of config/pricing.toml.
CREATE OR REPLACE TEMP TABLE shared AS
SELECT
    -- what the amounts and reasons read of the line (the rest is judged's, read there)
    s.* EXCLUDE (line_number, kind, charge, input_problems, release, mac, locality, row_known, preop_share,
                 intraop_share, locality_known, line_status, refusal),
    -- the global surgery split (54, 55, 56, 78: ch. 12 s. 40.2 and 40.4); 55's units are its days of care, at most
    -- the global period's
    CASE WHEN s.units_are_days THEN least(s.unit_count, post_op_days(s.global_days)) END AS care_days,
    coalesce(split_share(s.split_modifier, s.preop_share, s.intraop_share, s.postop_share, s.unit_count, s.global_days),
             1) AS split_share,
    -- a technical component taken on film (FX), by computed radiography (FY) or on CT equipment short of NEMA XR-29
    t.modifier AS tc_modifier,
    t.meaning AS tc_meaning,
    coalesce(t.share, 1) AS tc_equipment_share,
    t.share_from AS tc_equipment_since,
    CASE WHEN s.bilateral_by IS NOT NULL THEN s.bilateral_indicator_share ELSE 1 END AS bilateral_share,
    -- the payee's shares: an assistant at surgery (an NPP assisting, AS: 85% of it, and no other NPP reduction), a
    -- co-surgeon, a non-physician practitioner, a therapy assistant (CQ, CO), a non-participating provider
    CASE WHEN s.role = 'assistant' THEN d.assistant_share
              * CASE WHEN s.role_modifier = getvariable('npp_assistant') THEN d.npp_assistant_share ELSE 1 END
         WHEN s.role = 'co_surgeon' THEN d.co_surgeon_share ELSE 1 END AS role_share,
    CASE WHEN s.kind = 'npp' AND s.role_modifier IS DISTINCT FROM getvariable('npp_assistant') THEN d.npp_share
         ELSE 1 END AS practitioner_share,
    CASE WHEN list_has_any(s.mods, getvariable('therapy_assistant')) THEN d.therapy_assistant_share ELSE 1 END
        AS therapy_share,
    CASE WHEN list_has_any(s.mods, getvariable('therapy_assistant')) THEN d.since.therapy_assistant_share END
        AS therapy_since,
    CASE WHEN s.participating THEN 1 ELSE nonpar_share() END AS participation_share,
    CAST(role_share * practitioner_share * therapy_share * participation_share AS DECIMAL(18, 12)) AS payee_share,
    -- a bilateral procedure's two units are its sides, and 55's units days of care
    CASE WHEN s.bilateral_by IS NOT NULL OR s.folded OR s.units_are_days THEN 1 ELSE s.unit_count END AS paid_units,
    c.class_name,
    c.ranks,
    c.others,
    c.others_from AS others_since,
    c.tc_others,
    c.tc_others_from AS tc_others_since,
    c.pc_others,
    c.pc_others_from AS pc_others_since
FROM sided AS s
JOIN pricing_days AS d ON d.day = s.dos
LEFT JOIN pricing_class_days AS c ON c.day = s.dos AND c.mult_proc_ind = s.mult_proc_ind
LEFT JOIN pricing_technical_component_days AS t
    -- the first of config/pricing.toml's technical component modifiers the line carries
    ON t.day = s.dos
       AND t.modifier = list_filter(getvariable('technical_component_modifiers'), lambda m: list_contains(s.mods, m))[1]
