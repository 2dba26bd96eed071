-- price: one row per claim line of claim_input, in the input's order: the line priced as a Medicare contractor
-- would, under the release in force on its date of service, or the reasons it is not priced.
-- inputs: claim_input (the claims file, every column text, input_row its position), release_validity, rvu,
-- fee_locality, fee_national, gpci, zip_validity, zip_locality (input_row and input_problem, the line's
-- position and whether it could not be read, are not written out); parameters from config/pricing.toml
-- (docs/pricing.md gives every rule and its source). Amounts are exact decimals, each line rounded once.
WITH
policy AS (  -- the percentages as exact decimals
    SELECT
        CAST($standard_others AS DECIMAL(10, 6)) AS standard_others,
        CAST($imaging_tc_others AS DECIMAL(10, 6)) AS imaging_tc_others,
        CAST($imaging_pc_others AS DECIMAL(10, 6)) AS imaging_pc_others,
        CAST($therapy_pe_others AS DECIMAL(10, 6)) AS therapy_pe_others,
        CAST($cardiology_tc_others AS DECIMAL(10, 6)) AS cardiology_tc_others,
        CAST($ophthalmology_tc_others AS DECIMAL(10, 6)) AS ophthalmology_tc_others,
        CAST($bilateral_1 AS DECIMAL(10, 6)) AS bilateral_1,
        CAST($bilateral_3 AS DECIMAL(10, 6)) AS bilateral_3,
        CAST($assistant_share AS DECIMAL(10, 6)) AS assistant_share,
        CAST($npp_assistant_share AS DECIMAL(10, 6)) AS npp_assistant_share,
        CAST($co_surgeon_share AS DECIMAL(10, 6)) AS co_surgeon_share,
        CAST($npp_share AS DECIMAL(10, 6)) AS npp_share,
        CAST($therapy_assistant_share AS DECIMAL(10, 6)) AS therapy_assistant_share
),
-- 1. the line as given, read into types; what cannot be read is an input problem, named
lines AS (
    SELECT
        input_row,
        coalesce(trim(claim_id), '') AS claim_key,
        upper(trim(hcpcs)) AS code,
        list_filter(string_split(upper(trim(coalesce(modifiers, ''))), ' '), lambda m: m <> '') AS mods,
        TRY_CAST(trim(units) AS INTEGER) AS unit_count,
        trim(place_of_service) AS pos,
        TRY_CAST(trim(date_of_service) AS DATE) AS dos,
        regexp_extract(trim(coalesce(zip, '')), '^(\d{5})(?:-?(\d{4}))?$', 1) AS zip5,
        regexp_extract(trim(coalesce(zip, '')), '^(\d{5})(?:-?(\d{4}))?$', 2) AS zip4,
        nullif(trim(coalesce(mac, '')), '') AS mac_given,
        nullif(trim(coalesce(locality, '')), '') AS locality_given,
        lower(coalesce(nullif(trim(provider_kind), ''), 'physician')) AS kind,
        TRY_CAST(nullif(trim(coalesce(charge_usd, '')), '') AS DECIMAL(14, 2)) AS charge,
        list_filter([
            CASE WHEN NOT regexp_full_match(upper(trim(coalesce(hcpcs, ''))), '[A-Z0-9]{5}')
                 THEN format('hcpcs "{}" is not a HCPCS code (five letters or digits)', hcpcs) END,
            CASE WHEN coalesce(TRY_CAST(trim(units) AS INTEGER), 0) < 1
                 THEN format('units "{}" is not a whole number of 1 or more', units) END,
            CASE WHEN len(list_filter(string_split(trim(coalesce(modifiers, '')), ' '), lambda m: m <> '')) > 4
                 THEN 'more than four modifiers' END,
            CASE WHEN NOT regexp_full_match(trim(coalesce(place_of_service, '')), '\d\d')
                 THEN format('place_of_service "{}" is not two digits', place_of_service) END,
            CASE WHEN TRY_CAST(trim(date_of_service) AS DATE) IS NULL
                 THEN format('date_of_service "{}" is not a date (YYYY-MM-DD)', date_of_service) END,
            CASE WHEN trim(coalesce(zip, '')) <> ''
                      AND NOT regexp_full_match(trim(zip), '\d{5}(-?\d{4})?')
                 THEN format('zip "{}" is not a ZIP code (ZIP5 or ZIP+4)', zip)
                 WHEN trim(coalesce(zip, '')) = ''
                      AND (nullif(trim(coalesce(mac, '')), '') IS NULL
                           OR nullif(trim(coalesce(locality, '')), '') IS NULL)
                 THEN 'no place of the service: give zip, or mac and locality' END,
            CASE WHEN lower(coalesce(nullif(trim(provider_kind), ''), 'physician')) NOT IN ('physician', 'npp')
                 THEN format('provider_kind "{}" is not physician or npp', provider_kind) END,
            CASE WHEN nullif(trim(coalesce(charge_usd, '')), '') IS NOT NULL
                      AND TRY_CAST(trim(charge_usd) AS DECIMAL(14, 2)) IS NULL
                 THEN format('charge_usd "{}" is not an amount', charge_usd) END
        ], lambda r: r IS NOT NULL) AS input_problems
    FROM claim_input
),
-- 2. the release in force on the date of service, and the place: a MAC and locality, or the ZIP's
dated AS (
    SELECT l.*, v.release
    FROM lines AS l
    LEFT JOIN release_validity AS v
        ON l.dos BETWEEN v.valid_from AND coalesce(v.valid_to, DATE '9999-12-31')
),
placed AS (
    SELECT
        d.*,
        coalesce(d.mac_given, z.mac) AS mac,
        coalesce(lpad(d.locality_given, 2, '0'), z.locality) AS locality,
        z.plus_four_required,
        d.zip5 <> '' AND z.zip5 IS NULL AS zip_unknown,
        zv.year_quarter
    FROM dated AS d
    LEFT JOIN zip_validity AS zv
        ON d.zip5 <> '' AND d.dos BETWEEN zv.valid_from AND coalesce(zv.valid_to, DATE '9999-12-31')
    LEFT JOIN zip_locality AS z ON z.year_quarter = zv.year_quarter AND z.zip5 = d.zip5 AND d.mac_given IS NULL
),
-- 3. the PPRRVU row the line is priced on (26 or TC when the line carries it) and its fee in the locality,
-- in the setting of the place of service
rowed AS (
    SELECT
        p.*,
        CASE WHEN list_contains(p.mods, '26') THEN '26' WHEN list_contains(p.mods, 'TC') THEN 'TC' ELSE '' END
            AS row_modifier,
        CASE WHEN list_contains($facility_places, p.pos) THEN 'facility' ELSE 'nonfacility' END AS setting
    FROM placed AS p
),
priced_row AS (
    SELECT
        r.*,
        u.status_code, u.not_used_for_medicare_payment, u.mult_proc_ind, u.bilat_surg_ind, u.asst_surg_ind,
        u.co_surg_ind, u.team_surg_ind, u.preop_share, u.intraop_share, u.postop_share,
        u.hcpcs IS NOT NULL AS row_known,
        (SELECT string_agg(CASE WHEN o.modifier = '' THEN '(none)' ELSE o.modifier END, ', ' ORDER BY o.modifier)
         FROM rvu AS o WHERE o.release = r.release AND o.hcpcs = r.code) AS rows_of_code,
        f.mac IS NOT NULL AS locality_known,
        CASE r.setting WHEN 'facility' THEN f.fee_facility_usd ELSE f.fee_nonfacility_usd END AS fee,
        CASE r.setting WHEN 'facility' THEN u.facility_na ELSE u.nonfacility_na END AS setting_na,
        CASE r.setting WHEN 'facility' THEN f.is_opps_capped_facility ELSE f.is_opps_capped_nonfacility END
            AS opps_capped,
        CASE r.setting WHEN 'facility' THEN pc.fee_facility_usd ELSE pc.fee_nonfacility_usd END AS pc_fee,
        CASE r.setting WHEN 'facility' THEN tc.fee_facility_usd ELSE tc.fee_nonfacility_usd END AS tc_fee,
        CASE r.setting WHEN 'facility' THEN u.facility_pe_rvu ELSE u.nonfacility_pe_rvu END
            * g.pe_gpci * n.conversion_factor_usd AS pe_amount
    FROM rowed AS r
    LEFT JOIN rvu AS u ON u.release = r.release AND u.hcpcs = r.code AND u.modifier = r.row_modifier
    LEFT JOIN fee_locality AS f
        ON f.release = r.release AND f.hcpcs = r.code AND f.modifier = r.row_modifier AND f.cf_variant = $variant
           AND f.mac = r.mac AND f.locality = r.locality
    LEFT JOIN fee_locality AS pc
        ON pc.release = r.release AND pc.hcpcs = r.code AND pc.modifier = '26' AND pc.cf_variant = $variant
           AND pc.mac = r.mac AND pc.locality = r.locality
    LEFT JOIN fee_locality AS tc
        ON tc.release = r.release AND tc.hcpcs = r.code AND tc.modifier = 'TC' AND tc.cf_variant = $variant
           AND tc.mac = r.mac AND tc.locality = r.locality
    LEFT JOIN gpci AS g ON g.release = r.release AND g.mac = r.mac AND g.locality = r.locality
    LEFT JOIN fee_national AS n
        ON n.release = r.release AND n.hcpcs = r.code AND n.modifier = r.row_modifier AND n.cf_variant = $variant
),
-- 4. whether the line can be priced at all: the first reason it cannot, in the order a contractor checks
judged AS (
    SELECT
        *,
        CASE
            WHEN len(input_problems) > 0 THEN 'not_priced'
            WHEN release IS NULL OR (zip5 <> '' AND (zip_unknown OR year_quarter IS NULL OR plus_four_required))
                 OR NOT row_known OR NOT locality_known THEN 'not_priced'
            WHEN not_used_for_medicare_payment THEN 'not_priced'
            WHEN list_contains($by_report_statuses, status_code) THEN 'by_report'
            WHEN NOT list_contains($paid_statuses, status_code) THEN 'not_priced'
            WHEN status_code = 'T' AND count(*) FILTER (WHERE status_code <> 'T' AND list_contains($paid_statuses, status_code))
                 OVER (PARTITION BY claim_key, dos) > 0 THEN 'not_priced'
            WHEN list_contains(mods, $team) THEN CASE WHEN team_surg_ind IN ('1', '2') THEN 'by_report' ELSE 'not_priced' END
            WHEN list_has_any(mods, $assistant) OR list_contains(mods, $npp_assistant) THEN
                CASE asst_surg_ind WHEN '2' THEN 'priced' WHEN '0' THEN 'by_report' ELSE 'not_priced' END
            WHEN list_contains(mods, $co_surgeon) THEN
                CASE co_surg_ind WHEN '2' THEN 'priced' WHEN '1' THEN 'by_report' ELSE 'not_priced' END
            ELSE 'priced'
        END AS line_status,
        CASE
            WHEN len(input_problems) > 0 THEN array_to_string(input_problems, '; ')
            WHEN release IS NULL THEN format('no release of the lake covers the date of service {}', dos)
            WHEN zip5 <> '' AND year_quarter IS NULL
                THEN format('no ZIP code file of the lake is in force on {}: give mac and locality', dos)
            WHEN zip5 <> '' AND zip_unknown THEN format('ZIP {} is not in the {} ZIP code file', zip5, year_quarter)
            WHEN zip5 <> '' AND plus_four_required
                THEN format('ZIP {} is split between localities by ZIP+4 (CMS''s ZIP9 file), which the lake does '
                            'not hold: give mac and locality', zip5)
            WHEN NOT row_known AND rows_of_code IS NULL
                THEN format('{} is not a code of release {}', code, release)
            WHEN NOT row_known
                THEN format('modifier {} is not valid for {} in {} (its rows: {})', row_modifier, code, release,
                            rows_of_code)
            WHEN NOT locality_known THEN format('MAC {} locality {} is not a locality of {}', mac, locality, release)
            WHEN not_used_for_medicare_payment THEN 'CMS publishes RVUs for this code but does not use them for Medicare payment'
            WHEN list_contains($by_report_statuses, status_code)
                THEN format('status {}: the contractor prices this code (by report)', status_code)
            WHEN NOT list_contains($paid_statuses, status_code)
                THEN format('status {}: not paid under the physician fee schedule', status_code)
            WHEN status_code = 'T' AND count(*) FILTER (WHERE status_code <> 'T' AND list_contains($paid_statuses, status_code))
                 OVER (PARTITION BY claim_key, dos) > 0
                THEN 'status T: not paid when another physician fee schedule service is paid on the claim that day'
            WHEN list_contains(mods, $team) THEN
                CASE WHEN team_surg_ind IN ('1', '2') THEN 'modifier 66 (team surgery): priced by report'
                     ELSE format('modifier 66: team surgery is not paid for this code (TEAM SURG {})', team_surg_ind) END
            WHEN (list_has_any(mods, $assistant) OR list_contains(mods, $npp_assistant)) AND asst_surg_ind = '0'
                THEN 'assistant at surgery: paid only with documentation of medical necessity (by report, ASST SURG 0)'
            WHEN (list_has_any(mods, $assistant) OR list_contains(mods, $npp_assistant)) AND asst_surg_ind <> '2'
                THEN format('assistant at surgery is not paid for this code (ASST SURG {})', asst_surg_ind)
            WHEN list_contains(mods, $co_surgeon) AND co_surg_ind = '1'
                THEN 'modifier 62 (co-surgeons): paid only with supporting documentation (by report, CO-SURG 1)'
            WHEN list_contains(mods, $co_surgeon) AND co_surg_ind <> '2'
                THEN format('co-surgeons are not paid for this code (CO-SURG {})', co_surg_ind)
        END AS refusal
    FROM priced_row
),
-- 5. each unit of a priced line, with what the line's modifiers make of the fee before ranking
units AS (
    SELECT
        j.input_row, j.claim_key, j.dos, j.mods, j.code, j.mult_proc_ind, j.fee, j.pc_fee, j.tc_fee, j.row_modifier,
        coalesce(j.pe_amount, 0) AS pe_amount,
        u.unit,
        -- global split: 54 surgical care only, 55 postoperative only, 56 preoperative only
        CAST(CASE WHEN list_contains(j.mods, '54') THEN j.intraop_share WHEN list_contains(j.mods, '55') THEN j.postop_share
                  WHEN list_contains(j.mods, '56') THEN j.preop_share ELSE 1 END AS DECIMAL(10, 6)) AS split_share,
        -- bilateral, modifier 50 by BILAT SURG (RT and LT lines are two procedures: 100% and 50%, by MULT PROC)
        CASE WHEN list_contains(j.mods, '50') THEN
                 CASE j.bilat_surg_ind WHEN '1' THEN p.bilateral_1 WHEN '3' THEN p.bilateral_3 ELSE 1 END
             ELSE 1 END::DECIMAL(10, 6) AS bilateral_share,
        CASE WHEN list_has_any(j.mods, $assistant) OR list_contains(j.mods, $npp_assistant) THEN p.assistant_share
                  * CASE WHEN list_contains(j.mods, $npp_assistant) THEN p.npp_assistant_share ELSE 1 END
             WHEN list_contains(j.mods, $co_surgeon) THEN p.co_surgeon_share ELSE 1 END::DECIMAL(10, 6) AS surgeon_share,
        CASE WHEN j.kind = 'npp' THEN p.npp_share ELSE 1 END::DECIMAL(10, 6) AS provider_share,
        -- multiple procedures are ranked per surgeon: the assistant's and co-surgeon's lines apart
        CASE WHEN list_has_any(j.mods, $assistant) OR list_contains(j.mods, $npp_assistant) THEN 'assistant'
             WHEN list_contains(j.mods, $co_surgeon) THEN 'co_surgeon' ELSE 'surgeon' END AS role,
        CASE WHEN list_has_any(j.mods, $therapy_assistant) THEN p.therapy_assistant_share ELSE 1 END::DECIMAL(10, 6)
            AS assistant_share,
        p.*
    FROM judged AS j CROSS JOIN policy AS p, unnest(range(j.unit_count)) AS u(unit)
    WHERE j.line_status = 'priced'
),
-- 6. multiple procedures on a claim and date of service, by MULT PROC indicator
ranked AS (
    SELECT
        *,
        CAST(fee * split_share * bilateral_share AS DECIMAL(24, 12)) AS base,
        CAST(pe_amount * split_share * bilateral_share AS DECIMAL(24, 12)) AS pe_base,
        CAST(coalesce(tc_fee, 0) * split_share * bilateral_share AS DECIMAL(24, 12)) AS tc_base,
        CAST(coalesce(pc_fee, 0) * split_share * bilateral_share AS DECIMAL(24, 12)) AS pc_base,
        CAST(CAST(surgeon_share * provider_share AS DECIMAL(18, 12)) * assistant_share AS DECIMAL(18, 12)) AS share,
        CASE mult_proc_ind WHEN '4' THEN imaging_tc_others WHEN '6' THEN cardiology_tc_others
                           ELSE ophthalmology_tc_others END AS tc_others,
        CASE WHEN mult_proc_ind = '4' THEN imaging_pc_others ELSE 1 END AS pc_others,
        row_number() OVER (PARTITION BY claim_key, dos, role, mult_proc_ind IN ('2', '3')
                           ORDER BY fee * split_share * bilateral_share DESC, input_row, unit) AS standard_rank,
        row_number() OVER (PARTITION BY claim_key, dos, role, mult_proc_ind ORDER BY coalesce(tc_fee, 0) DESC, input_row, unit)
            AS family_rank,
        row_number() OVER (PARTITION BY claim_key, dos, role, mult_proc_ind = '5' ORDER BY pe_amount DESC, input_row, unit)
            AS therapy_rank
    FROM units
),
reduced AS (
    SELECT
        *,
        CAST(CAST(CASE
            WHEN mult_proc_ind IN ('2', '3') AND standard_rank > 1 THEN base * standard_others
            WHEN mult_proc_ind = '5' AND therapy_rank > 1 THEN base - pe_base * (1 - therapy_pe_others)
            WHEN mult_proc_ind IN ('4', '6', '7') AND family_rank > 1 THEN
                CASE row_modifier WHEN '26' THEN base * pc_others WHEN 'TC' THEN base * tc_others
                     ELSE base - tc_base * (1 - tc_others) - pc_base * (1 - pc_others) END
            ELSE base
        END AS DECIMAL(24, 12)) * share AS DECIMAL(24, 12)) AS amount,
        mult_proc_ind IN ('2', '3') AND standard_rank > $standard_most AS beyond_most,
        CASE
            WHEN mult_proc_ind IN ('2', '3') AND standard_rank > 1
                THEN format('multiple procedures (MULT PROC {}): {}% as procedure {} of the claim that day',
                            mult_proc_ind, CAST(standard_others * 100 AS INTEGER), standard_rank)
            WHEN mult_proc_ind = '5' AND therapy_rank > 1
                THEN format('therapy (MULT PROC 5): practice expense at {}% after the unit with the most',
                            CAST(therapy_pe_others * 100 AS INTEGER))
            WHEN mult_proc_ind IN ('4', '6', '7') AND family_rank > 1
                THEN format('multiple {} services (MULT PROC {}): technical component at {}%{}',
                            CASE mult_proc_ind WHEN '4' THEN 'imaging' WHEN '6' THEN 'cardiovascular' ELSE 'ophthalmology' END,
                            mult_proc_ind, CAST(tc_others * 100 AS INTEGER),
                            CASE WHEN mult_proc_ind = '4' THEN ', professional component at 95%' ELSE '' END)
        END AS reduction
    FROM ranked
),
line_amounts AS (
    SELECT
        input_row,
        sum(amount) AS amount,
        bool_or(beyond_most) AS beyond_most,
        list_distinct(list(reduction) FILTER (WHERE reduction IS NOT NULL)) AS reductions,
        any_value(split_share) AS split_share,
        any_value(bilateral_share) AS bilateral_share,
        any_value(surgeon_share) AS surgeon_share,
        any_value(provider_share) AS provider_share,
        any_value(assistant_share) AS assistant_share
    FROM reduced
    GROUP BY input_row
)
SELECT
    c.*,
    len(j.input_problems) > 0 AS input_problem,
    j.release,
    j.mac,
    j.locality,
    CASE WHEN j.release IS NOT NULL AND len(j.input_problems) = 0 THEN j.setting END AS setting,
    j.fee AS fee_schedule_usd,
    CASE WHEN j.line_status = 'priced' AND NOT a.beyond_most
         THEN CAST(round(least(a.amount, coalesce(j.charge, a.amount)), 2) AS DECIMAL(14, 2)) END AS allowed_usd,
    CASE WHEN j.line_status = 'priced' AND a.beyond_most THEN 'by_report' ELSE j.line_status END AS status,
    CASE WHEN j.line_status <> 'priced' THEN j.refusal
         WHEN a.beyond_most THEN format('more than {} procedures on the claim that day: priced by report', $standard_most)
         ELSE array_to_string(list_filter(list_concat([
             format('{} fee of {} in MAC {} locality {} ({}): ${}', replace(j.setting, 'nonfacility', 'non-facility'),
                    j.code || CASE WHEN j.row_modifier <> '' THEN '-' || j.row_modifier ELSE '' END, j.mac, j.locality,
                    j.release, j.fee),
             CASE WHEN j.setting_na THEN format('CMS marks the {} setting NA for this code (rarely or never done there): '
                                               'priced at the amount its files print', j.setting) END,
             CASE WHEN j.opps_capped THEN 'capped at the OPPS amount' END,
             CASE WHEN j.status_code = 'R' THEN 'status R: restricted coverage' END,
             CASE WHEN j.unit_count > 1 THEN format('{} units', j.unit_count) END,
             CASE WHEN a.split_share <> 1 THEN format('global split: {}% of the global fee', round(a.split_share * 100, 1)) END,
             CASE WHEN a.bilateral_share <> 1 THEN format('bilateral (BILAT SURG {}): {}%', j.bilat_surg_ind,
                                                         CAST(a.bilateral_share * 100 AS INTEGER)) END,
             CASE WHEN list_contains(j.mods, '50') AND a.bilateral_share = 1
                  THEN format('modifier 50: bilateral payment does not apply (BILAT SURG {}), one fee', j.bilat_surg_ind) END,
             CASE WHEN list_has_any(j.mods, $assistant) OR list_contains(j.mods, $npp_assistant)
                  THEN format('assistant at surgery: {}% of the fee', CAST(round(a.surgeon_share * 100, 1) AS DOUBLE)) END,
             CASE WHEN list_contains(j.mods, $co_surgeon) THEN format('co-surgeon: {}% of the fee', CAST(a.surgeon_share * 100 AS DOUBLE)) END,
             CASE WHEN a.provider_share <> 1 THEN format('non-physician practitioner: {}%', CAST(a.provider_share * 100 AS INTEGER)) END,
             CASE WHEN a.assistant_share <> 1
                  THEN format('therapy assistant (CQ/CO): {}%', CAST(a.assistant_share * 100 AS INTEGER)) END,
         ], a.reductions, [
             CASE WHEN j.charge < a.amount THEN format('the charge ${} is lower than the amount: allowed the charge',
                                                     j.charge::VARCHAR) END
         ]), lambda r: r IS NOT NULL), '; ')
    END AS reasons
FROM claim_input AS c
JOIN judged AS j USING (input_row)
LEFT JOIN line_amounts AS a USING (input_row)
ORDER BY c.input_row
