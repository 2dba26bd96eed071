-- sided: one row per priced claim line (grain: claim line with line_status 'priced'): whether it is paid as a
-- bilateral procedure. One code on two lines of a claim and day, one RT and
-- one LT, is one bilateral procedure: priced on the first of the two lines (its charge both lines'), the other line
-- folded into it (paid nothing, with the reason). inputs: judged.
CREATE OR REPLACE TEMP VIEW sided AS
WITH sides AS (
    SELECT
        claim_key, dos, code, row_modifier, min(input_row) AS payer_row, max(input_row) AS folded_row,
        arg_min(line_number, input_row) AS payer_line, arg_max(line_number, input_row) AS folded_line,
        CASE WHEN count(charge) = 2 THEN sum(charge) END AS both_charges
    FROM judged
    WHERE line_status = 'priced' AND bilateral_indicator_share IS NOT NULL AND unit_count = 1
          AND bilateral_by IS NULL AND NOT units_are_days AND list_contains(mods, 'RT') <> list_contains(mods, 'LT')
    GROUP BY claim_key, dos, code, row_modifier
    HAVING count(*) = 2 AND count(*) FILTER (WHERE list_contains(mods, 'RT')) = 1
)
SELECT
    j.* EXCLUDE (bilateral_by),
    -- what makes the line bilateral: its own modifier 50 or two units, or its RT and LT pair
    coalesce(j.bilateral_by, CASE WHEN s.payer_row IS NOT NULL THEN format('RT and LT, with line {}',
        CASE WHEN j.input_row = s.folded_row THEN s.payer_line ELSE s.folded_line END) END) AS bilateral_by,
    coalesce(j.input_row = s.folded_row, false) AS folded,
    CASE WHEN j.input_row = s.folded_row THEN s.payer_line ELSE s.folded_line END AS side_line,
    coalesce(CASE WHEN j.input_row = s.payer_row THEN s.both_charges END, j.charge) AS charge_compared
FROM judged AS j
LEFT JOIN sides AS s
    ON s.claim_key = j.claim_key AND s.dos = j.dos AND s.code = j.code AND s.row_modifier = j.row_modifier
       AND j.input_row IN (s.payer_row, s.folded_row)
WHERE j.line_status = 'priced'
