-- gpci_change: one row per MAC x locality whose GPCIs differ between the two releases of a change pair.
-- inputs: change_pairs, gpci. change: added, deleted, gpci_changed (work, PE or MP GPCI).
-- Pairs where either release has no GPCI file are left out (nothing to compare).
WITH priced AS (SELECT DISTINCT release FROM gpci),
keyed AS (
    SELECT DISTINCT p.from_release, p.to_release, g.mac, g.locality
    FROM change_pairs AS p
    JOIN priced AS f ON f.release = p.from_release
    JOIN priced AS t ON t.release = p.to_release
    JOIN gpci AS g ON g.release IN (p.from_release, p.to_release)
),
compared AS (
    SELECT
        k.from_release,
        k.to_release,
        k.mac,
        k.locality,
        coalesce(b.state, a.state) AS state,
        coalesce(b.locality_name, a.locality_name) AS locality_name,
        CASE
            WHEN a.mac IS NULL THEN 'added'
            WHEN b.mac IS NULL THEN 'deleted'
            WHEN (a.work_gpci, a.pe_gpci, a.mp_gpci) <> (b.work_gpci, b.pe_gpci, b.mp_gpci) THEN 'gpci_changed'
        END AS change,
        a.work_gpci AS from_work_gpci,
        b.work_gpci AS to_work_gpci,
        a.pe_gpci AS from_pe_gpci,
        b.pe_gpci AS to_pe_gpci,
        a.mp_gpci AS from_mp_gpci,
        b.mp_gpci AS to_mp_gpci
    FROM keyed AS k
    LEFT JOIN gpci AS a ON a.release = k.from_release AND a.mac = k.mac AND a.locality = k.locality
    LEFT JOIN gpci AS b ON b.release = k.to_release AND b.mac = k.mac AND b.locality = k.locality
)
SELECT * FROM compared WHERE change IS NOT NULL
