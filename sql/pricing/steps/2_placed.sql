-- placed: one row per claim line (grain: claim line): the release in force on its date of service, its place (the
-- MAC and locality when both are given, else its ZIP code's in the ZIP code file in force, or its ZIP+4's in that
-- quarter's ZIP9 file for a ZIP CMS splits by +4), its setting (the facility places in force
-- that day) and the PPRRVU row it is priced on (26 or TC when the line carries it, 53 where PPRRVU has a 53 row).
-- inputs: lines, pricing_days (sql/pricing/days.sql), zip_locality, zip9_locality, rvu.
CREATE OR REPLACE TEMP VIEW placed AS
WITH discontinued_rows AS (SELECT DISTINCT release, hcpcs FROM rvu WHERE modifier = '53'),
zip9_quarters AS (SELECT DISTINCT year_quarter FROM zip9_locality),
-- the ZIP+4 rows of the part's ZIP codes only: a quarter's ZIP9 file is a million rows
zip9 AS (SELECT * FROM zip9_locality SEMI JOIN (SELECT DISTINCT zip5 FROM lines WHERE plus_four <> '') USING (zip5))
SELECT
    l.*,
    d.release,
    CASE WHEN l.place_given THEN l.mac_given WHEN z.plus_four_required THEN z9.mac ELSE z.mac END AS mac,
    CASE WHEN l.place_given THEN lpad(l.locality_given, 2, '0') WHEN z.plus_four_required THEN z9.locality
         ELSE z.locality END AS locality,
    z.plus_four_required,
    q9.year_quarter IS NOT NULL AS zip9_held,
    z9.zip5 IS NOT NULL AS plus_four_known,
    NOT l.place_given AND z.zip5 IS NULL AS zip_unknown,
    CASE WHEN NOT l.place_given THEN d.zip_year_quarter END AS year_quarter,
    CASE WHEN list_contains(l.mods, '26') THEN '26' WHEN list_contains(l.mods, 'TC') THEN 'TC'
         WHEN list_contains(l.mods, '53') AND dr.hcpcs IS NOT NULL THEN '53' ELSE '' END AS row_modifier,
    CASE WHEN list_contains(d.facility_places, l.pos) THEN 'facility' ELSE 'nonfacility' END AS setting
FROM (SELECT *, mac_given IS NOT NULL AND locality_given IS NOT NULL AS place_given FROM lines) AS l
LEFT JOIN pricing_days AS d ON d.day = l.dos
LEFT JOIN zip_locality AS z
    ON NOT l.place_given AND z.year_quarter = d.zip_year_quarter AND z.zip5 = l.zip5
LEFT JOIN zip9_quarters AS q9 ON z.plus_four_required AND q9.year_quarter = z.year_quarter
LEFT JOIN zip9 AS z9
    ON z.plus_four_required AND z9.year_quarter = z.year_quarter AND z9.zip5 = l.zip5 AND z9.plus_four = l.plus_four
LEFT JOIN discontinued_rows AS dr ON dr.release = d.release AND dr.hcpcs = l.code
