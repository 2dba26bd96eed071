-- line_amounts: one row per priced claim line (grain: claim line with line_status 'priced'): its amount before the
-- charge is compared (exact), whether it is beyond the procedures a claim and day pays, and the ranks it was reduced
-- as. Each unit a MULT PROC class ranks is a procedure (other lines are priced as fee x units): ranked on the claim
-- and day among the payee's procedures of its class, as config/pricing.toml [multiple_procedure.classes] says, ties
-- in file order. inputs: shared.
CREATE OR REPLACE TEMP TABLE line_amounts AS
WITH units AS (
    SELECT
        s.*,
        u.unit,
        line_share(s.fee, s.split_share, s.bilateral_share) AS whole,
        -- the parts a rule takes from, computed only where one does: exact decimals cost time on every line
        CASE WHEN s.tc_others IS NOT NULL OR s.tc_equipment_share <> 1
             THEN line_share(coalesce(s.technical_fee, 0), s.split_share, s.bilateral_share) END AS tc_part,
        CASE WHEN s.pc_others IS NOT NULL
             THEN line_share(coalesce(s.professional_fee, 0), s.split_share, s.bilateral_share) END AS pc_part,
        CASE WHEN s.ranks = 'practice_expense'
             THEN line_share(coalesce(s.pe_amount, 0), s.split_share, s.bilateral_share) END AS pe_part,
        CASE WHEN s.family IS NOT NULL
             THEN line_share(coalesce(s.base_fee, 0), s.split_share, s.bilateral_share) END AS family_base
    -- a class ranks each unit of a line; other lines are one row
    FROM (SELECT *, CASE WHEN class_name IS NULL OR folded THEN 1 ELSE paid_units END AS units_ranked FROM shared) AS s,
        unnest(range(s.units_ranked)) AS u(unit)
),
-- the amount of each unit before any multiple procedure rule: its technical part reduced for FX, FY or CT
unit_amounts AS (
    SELECT
        *,
        CASE WHEN tc_equipment_share = 1 THEN whole ELSE exact(whole - tc_part * (1 - tc_equipment_share)) END AS base,
        CASE WHEN tc_equipment_share = 1 THEN tc_part ELSE exact(tc_part * tc_equipment_share) END AS tc_base
    FROM units
),
-- an endoscopic family (MULT PROC 3, same base code) is one procedure: the highest at its fee, each other at its fee
-- less the base's (the base code itself then adds nothing)
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
-- each class ranks what config/pricing.toml says: procedures by their value, therapy units by their PE, and the
-- technical parts by their fees and the professional parts apart, by theirs. Ranked on the keys alone: a window
-- sorts every column it is given
ranks_of AS (
    SELECT
        input_row, unit,
        dense_rank() OVER (
            PARTITION BY claim_key, dos, role, class_name
            ORDER BY CASE ranks WHEN 'procedure' THEN procedure_value ELSE pe_part END DESC, first_row, first_unit
        ) AS procedure_rank,
        NULL::BIGINT AS tc_rank, NULL::BIGINT AS pc_rank
    FROM procedures WHERE ranks IN ('procedure', 'practice_expense') AND NOT folded
    UNION ALL
    SELECT
        input_row, unit, NULL,
        CASE WHEN tc_base > 0 THEN dense_rank() OVER (
            PARTITION BY claim_key, dos, role, class_name, tc_base > 0 ORDER BY tc_base DESC, first_row, first_unit)
        END,
        CASE WHEN pc_others IS NOT NULL AND pc_part > 0 THEN dense_rank() OVER (
            PARTITION BY claim_key, dos, role, class_name, pc_others IS NOT NULL AND pc_part > 0
            ORDER BY pc_part DESC, first_row, first_unit)
        END
    FROM procedures WHERE ranks = 'parts' AND NOT folded
),
ranked AS (
    SELECT p.*, coalesce(r.procedure_rank, 1) AS procedure_rank, r.tc_rank, r.pc_rank
    FROM procedures AS p
    LEFT JOIN ranks_of AS r USING (input_row, unit)
),
reduced AS (
    SELECT
        input_row,
        CASE
            WHEN folded THEN exact(0)
            WHEN ranks = 'procedure' AND procedure_rank > 1 THEN exact(unit_value * others)
            WHEN ranks = 'practice_expense' AND procedure_rank > 1 THEN exact(base - pe_part * (1 - others))
            WHEN ranks = 'parts'
                THEN exact(base - CASE WHEN tc_rank > 1 THEN tc_base * (1 - tc_others) ELSE 0 END
                                - CASE WHEN pc_rank > 1 THEN pc_part * (1 - pc_others) ELSE 0 END)
            ELSE unit_value
        END AS amount,
        procedure_rank,
        tc_rank,
        pc_rank,
        ranks,
        within_family,
        units_ranked
    FROM ranked
),
-- a line's units summed (most lines are one unit, and pass as they are)
summed AS (
    SELECT
        input_row,
        amount,
        procedure_rank > getvariable('standard_most') AND ranks = 'procedure' AS beyond_most,
        within_family,
        CASE WHEN procedure_rank > 1 THEN [procedure_rank] END AS reduced_ranks,
        CASE WHEN tc_rank > 1 THEN [tc_rank] END AS reduced_tc_ranks,
        CASE WHEN pc_rank > 1 THEN [pc_rank] END AS reduced_pc_ranks
    FROM reduced WHERE units_ranked = 1
    UNION ALL
    SELECT
        input_row,
        sum(amount),
        max(procedure_rank) > getvariable('standard_most') AND any_value(ranks) = 'procedure',
        bool_or(within_family),
        list(procedure_rank ORDER BY procedure_rank) FILTER (WHERE procedure_rank > 1),
        list(tc_rank ORDER BY tc_rank) FILTER (WHERE tc_rank > 1),
        list(pc_rank ORDER BY pc_rank) FILTER (WHERE pc_rank > 1)
    FROM reduced WHERE units_ranked > 1
    GROUP BY input_row
)
SELECT
    a.* EXCLUDE (amount),
    -- the payee's shares, and the units of a line no class ranks
    CASE WHEN s.payee_share = 1 THEN a.amount ELSE exact(a.amount * s.payee_share) END
        * CASE WHEN s.class_name IS NULL THEN s.paid_units ELSE 1 END AS amount
FROM summed AS a
JOIN shared AS s USING (input_row)
