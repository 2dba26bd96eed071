-- zip9_locality: one row per ZIP+4 of one quarter's ZIP9 file (grain: year_quarter × zip5 × plus_four): the ZIP
-- codes CMS splits between localities, each +4 with the GPCI locality it is priced in. inputs: zip9 (the parsed
-- ZIP9 file; empty when the source held the ZIP5 file alone).
SELECT year_quarter, zip5, plus_four, state, mac, locality, rural_indicator
FROM zip9
ORDER BY zip5, plus_four
