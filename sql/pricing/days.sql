-- pricing_days: one row per day a release of the lake covers (grain: day). What a claim line of that date of service
-- is priced by: the release in force, the ZIP code file in force (if any), the places of service paid at the facility
-- rate (config/places_of_service.toml) and the shares of config/pricing.toml (pricing_policy).
-- inputs: release_validity, zip_validity, facility_place (TEMP, from config), pricing_policy (TEMP, from config).
-- Made once per connection: a line finds all of it by one hash join on its date, rather than range joins per line.
-- The release in force has no end yet: its days run to 2099-12-31 (a row a day; claims are not dated beyond).
CREATE OR REPLACE TEMP TABLE pricing_days AS
WITH release_days AS (
    SELECT release, unnest(generate_series(valid_from, coalesce(valid_to, DATE '2099-12-31'), INTERVAL 1 DAY))::DATE
        AS day
    FROM release_validity
),
zip_days AS (
    SELECT year_quarter, unnest(generate_series(valid_from, coalesce(valid_to, DATE '2099-12-31'), INTERVAL 1 DAY))::DATE
        AS day
    FROM zip_validity
)
SELECT
    r.day,
    r.release,
    z.year_quarter AS zip_year_quarter,
    (SELECT coalesce(list(f.place ORDER BY f.place), []) FROM facility_place AS f
     WHERE r.day BETWEEN f.valid_from AND f.valid_to) AS facility_places,
    p.* EXCLUDE (valid_from, valid_to)
FROM release_days AS r
LEFT JOIN zip_days AS z USING (day)
JOIN pricing_policy AS p ON r.day BETWEEN p.valid_from AND p.valid_to
;

-- pricing_class_days: one row per day x MULT PROC indicator ranked (grain: day x mult_proc_ind): the class and the
-- shares paid after the first procedure on that day (class_policy, from config/pricing.toml).
CREATE OR REPLACE TEMP TABLE pricing_class_days AS
SELECT d.day, c.* EXCLUDE (valid_from, valid_to)
FROM pricing_days AS d
JOIN class_policy AS c ON d.day BETWEEN c.valid_from AND c.valid_to;

-- pricing_technical_component_days: one row per day x modifier reducing a technical component (grain: day x
-- modifier): its share on that day (technical_component_policy, from config/pricing.toml).
CREATE OR REPLACE TEMP TABLE pricing_technical_component_days AS
SELECT d.day, t.* EXCLUDE (valid_from, valid_to)
FROM pricing_days AS d
JOIN technical_component_policy AS t ON d.day BETWEEN t.valid_from AND t.valid_to;
