-- zip_validity: one row per ZIP code file (quarter) of the lake: the dates of service it serves.
-- inputs: zip_locality. A quarter's file is in force from the quarter's first day until the day before the
-- lake's next file takes effect; valid_to is null for the newest.
WITH quarters AS (
    SELECT DISTINCT
        year_quarter,
        make_date(CAST(left(year_quarter, 4) AS INTEGER), 3 * CAST(right(year_quarter, 1) AS INTEGER) - 2, 1)
            AS valid_from
    FROM zip_locality
)
SELECT
    year_quarter,
    valid_from,
    CAST(lead(valid_from) OVER (ORDER BY valid_from) - INTERVAL 1 DAY AS DATE) AS valid_to
FROM quarters
