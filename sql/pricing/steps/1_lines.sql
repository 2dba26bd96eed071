-- lines: one row per claim line of claim_input (grain: claim line): the line's values read into types, and what
-- cannot be read named (input_problems, null when the line reads). claim_input holds the claims file's columns (any
-- column types) and input_row, their position.
CREATE OR REPLACE TEMP VIEW lines AS
WITH given AS (
    SELECT
        input_row,
        CAST(claim_id AS VARCHAR) AS claim_id, CAST(line AS VARCHAR) AS line, CAST(hcpcs AS VARCHAR) AS hcpcs,
        CAST(modifiers AS VARCHAR) AS modifiers, CAST(units AS VARCHAR) AS units,
        -- a numeric column drops leading zeros (place 02, MAC 01112, ZIP 02101): put them back
        zero_padded(place_of_service, 2) AS place_of_service, CAST(date_of_service AS VARCHAR) AS date_of_service,
        -- a ZIP+4 stored as a number loses its leading zero too (021010001 -> 21010001)
        CASE WHEN regexp_full_match(trim(CAST(zip AS VARCHAR)), '\d{6,8}') THEN lpad(trim(CAST(zip AS VARCHAR)), 9, '0')
             ELSE zero_padded(zip, 5) END AS zip,
        zero_padded(mac, 5) AS mac,
        CAST(locality AS VARCHAR) AS locality,
        CAST(provider_kind AS VARCHAR) AS provider_kind, CAST(charge_usd AS VARCHAR) AS charge_usd,
        CAST(participating AS VARCHAR) AS participating
    FROM claim_input
)
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
    regexp_extract(trim(coalesce(zip, '')), '^(\d{5})(?:-?(\d{4}))?$', 2) AS plus_four,
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
