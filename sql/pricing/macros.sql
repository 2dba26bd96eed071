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
