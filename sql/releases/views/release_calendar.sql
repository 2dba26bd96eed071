-- release_calendar: one row per release of config/releases.toml (the CMS calendar), held by the lake or not, with
-- the dates of service it prices. inputs: _release_calendar (the catalog's rows, written into pfs.duckdb with the
-- views). A release is in force from its effective date until the day before the next release takes effect. Of
-- releases with the same effective date (a correction such as RVU24AR beside RVU24A) the later label is in force;
-- the others get a valid_to before their effective_from and are in force on no day. valid_to is null for the newest.
SELECT
    release,
    year,
    effective_from,
    CAST(lead(effective_from) OVER (ORDER BY effective_from, release) - INTERVAL 1 DAY AS DATE) AS valid_to
FROM _release_calendar
