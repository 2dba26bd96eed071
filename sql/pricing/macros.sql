-- pricing macros: reading a claims file's values. A line's fee comes from the lake's own macros
-- (sql/releases/macros.sql, setting_parts), the arithmetic of fee_locality. Created TEMP for each pricing
-- connection: pricing reads a lake without changing it.

-- A code given as a number, its leading zeros put back (2 -> '02'); any other value as text, unchanged.
CREATE OR REPLACE TEMP MACRO zero_padded(value, width) AS
    CASE WHEN regexp_full_match(trim(CAST(value AS VARCHAR)), '\d{1,' || (width - 1) || '}')
         THEN lpad(trim(CAST(value AS VARCHAR)), width, '0')
         ELSE CAST(value AS VARCHAR) END;

-- An amount at the working precision of pricing: exact for cents times every share of config/pricing.toml.
CREATE OR REPLACE TEMP MACRO exact(amount) AS CAST(amount AS DECIMAL(38, 12));

-- Whether the line's provider participates in Medicare: blank (the default), yes, y, true, 1 or par: yes; no, n,
-- false, 0 or non-par: no; anything else null (an input problem).
CREATE OR REPLACE TEMP MACRO participation(value) AS
    CASE WHEN lower(trim(coalesce(CAST(value AS VARCHAR), ''))) IN ('', 'y', 'yes', 'true', '1', 'par') THEN true
         WHEN lower(trim(CAST(value AS VARCHAR))) IN ('n', 'no', 'false', '0', 'non-par', 'nonpar') THEN false END;

-- A share as the percentage reasons print, to two decimals: 0.136000 -> '13.6', 0.500000 -> '50'.
CREATE OR REPLACE TEMP MACRO percent(share) AS regexp_replace(CAST(round(share * 100, 2) AS VARCHAR), '\.?0+$', '');

-- ' (since 2022-01-01)' after a share that took effect that day; '' after one that has always held.
CREATE OR REPLACE TEMP MACRO since(day) AS CASE WHEN day IS NULL THEN '' ELSE format(' (since {})', day) END;

-- A global surgery's days of post-operative care (10 or 90, PPRRVU's GLOB DAYS); null for any other global period,
-- which modifier 55 cannot bill.
CREATE OR REPLACE TEMP MACRO post_op_days(global_days) AS
    CASE WHEN TRY_CAST(global_days AS INTEGER) IN (10, 90) THEN TRY_CAST(global_days AS INTEGER) END;

-- The share of the global fee a split of global surgery pays (ch. 12 s. 40.2 and 40.4, PPRRVU's PRE, INTRA and POST
-- OP shares): 54 surgical care only, the pre- and intra-operative shares; 55 post-operative care only, the
-- post-operative share for the days of care given of the global period's; 56 pre-operative care only; 78 return to
-- the operating room, the intra-operative share. Null where no split applies.
CREATE OR REPLACE TEMP MACRO split_share(split, preop, intraop, postop, days, global_days) AS
    CAST(CASE split WHEN '54' THEN preop + intraop
                    WHEN '55' THEN exact(postop * least(days, post_op_days(global_days))) / post_op_days(global_days)
                    WHEN '56' THEN preop
                    WHEN '78' THEN intraop END AS DECIMAL(18, 12));

-- An amount times the line's global surgery split and bilateral shares, exact; the multiplication is skipped where
-- both are 1 (most lines), as exact products of wide decimals cost time on every line.
CREATE OR REPLACE TEMP MACRO line_share(amount, split, bilateral) AS
    CASE WHEN split = 1 AND bilateral = 1 THEN exact(amount) ELSE exact(exact(amount) * split * bilateral) END;
