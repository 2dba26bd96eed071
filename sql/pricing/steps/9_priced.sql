-- priced: one row per claim line of claim_input (grain: claim line): the claims file's own columns, then the release,
-- place and setting the line was priced in, its fee schedule amount, the allowed amount (the lower of the charge and
-- the amount, rounded to cents once, here), a non-participating provider's limiting charge, the status and the
-- reasons. Written out without input_row and input_problem (whether the line could not be read). inputs:
-- claim_input, judged, shared, line_amounts, line_reasons.
CREATE OR REPLACE TEMP VIEW priced AS
SELECT
    c.* EXCLUDE (mac, locality),
    j.input_problems IS NOT NULL AS input_problem,
    j.release,
    j.mac,
    j.locality,
    CASE WHEN j.input_problems IS NULL THEN replace(j.setting, 'nonfacility', 'non-facility') END AS setting,
    CASE WHEN j.row_known AND j.locality_known THEN j.fee END AS fee_schedule_usd,
    CASE WHEN a.beyond_most THEN NULL
         ELSE CAST(round(least(a.amount, coalesce(s.charge_compared, a.amount)), 2) AS DECIMAL(14, 2)) END AS allowed_usd,
    -- what a non-participating provider not taking assignment may charge at most: 115% of its fee schedule amount
    CASE WHEN a.input_row IS NOT NULL AND NOT a.beyond_most AND NOT s.participating
         THEN CAST(round(a.amount * limiting_charge_share(), 2) AS DECIMAL(14, 2)) END AS limiting_charge_usd,
    CASE WHEN a.beyond_most THEN 'by_report' ELSE j.line_status END AS status,
    CASE WHEN a.input_row IS NULL THEN j.refusal
         WHEN a.beyond_most
             THEN format('more than {} procedures on the claim that day: priced by report', getvariable('standard_most'))
         ELSE coalesce(nullif(concat_ws('; ', r.said,
             CASE WHEN s.charge_compared < a.amount
                  THEN format('the charge ${}{} is lower than the amount ${}: allowed the charge',
                              CAST(s.charge_compared AS VARCHAR),
                              CASE WHEN s.side_line IS NOT NULL AND NOT s.folded THEN ' (both sides)' ELSE '' END,
                              CAST(round(a.amount, 2) AS DECIMAL(14, 2))::VARCHAR) END), ''), 'the fee schedule amount')
    END AS reasons
FROM claim_input AS c
JOIN judged AS j USING (input_row)
LEFT JOIN shared AS s USING (input_row)
LEFT JOIN line_amounts AS a USING (input_row)
LEFT JOIN line_reasons AS r USING (input_row)
ORDER BY c.input_row
