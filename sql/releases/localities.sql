-- localities: one row per MAC x locality of the release.
-- inputs: gpci (state code, locality name) and locco (state name, fee schedule area, counties);
-- a locality named by only one of the two files is kept, with the other file's columns null.
SELECT
    coalesce(g.mac, l.mac) AS mac,
    coalesce(g.locality, l.locality) AS locality,
    coalesce(g.state, l.state) AS state,
    l.state_name,
    g.locality_name,
    l.fee_schedule_area,
    l.counties,
    l.served_by_two_macs,
    g.mac IS NOT NULL AS in_gpci,
    l.mac IS NOT NULL AS in_locco
FROM gpci AS g
FULL OUTER JOIN locco AS l ON g.mac = l.mac AND g.locality = l.locality
ORDER BY mac, locality
