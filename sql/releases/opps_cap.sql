-- opps_cap: one row per HCPCS x modifier x MAC x locality of OPPSCAP, as CMS lists them, with the GPCI
-- locality each row prices: the same locality number in a state the MAC serves. OPPSCAP lists the
-- Southern California localities under MAC 01112 where GPCI has 01182, so MAC alone would miss them.
-- inputs: oppscap, gpci.
WITH served AS (  -- every GPCI locality of every state a MAC serves
    SELECT m.mac AS served_by, g.*
    FROM (SELECT DISTINCT mac, state FROM gpci) AS m
    JOIN gpci AS g USING (state)
)
SELECT
    o.hcpcs,
    o.modifier,
    o.mac,
    o.locality,
    o.status_code,
    o.opps_cap_nonfacility_usd,
    o.opps_cap_facility_usd,
    s.state,
    s.mac AS gpci_mac
FROM oppscap AS o
LEFT JOIN served AS s ON s.served_by = o.mac AND s.locality = o.locality
ORDER BY o.hcpcs, o.modifier, o.mac, o.locality
