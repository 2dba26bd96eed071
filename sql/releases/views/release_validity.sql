-- release_validity: one row per release of the lake: the dates of service it prices.
-- inputs: releases (every release of the lake), release_calendar (every release of config/releases.toml).
-- A release is in force from its effective date until the day before the next release of the CMS
-- calendar takes effect, whether or not the lake holds that one. Of releases with the same effective
-- date (a correction such as RVU24AR beside RVU24A) the later label is in force; the others get a
-- valid_to before their valid_from and are in force on no day. valid_to is null for the newest release.
WITH calendar AS (
    SELECT
        release,
        effective_from,
        CAST(lead(effective_from) OVER (ORDER BY effective_from, release) - INTERVAL 1 DAY AS DATE) AS valid_to
    FROM release_calendar
)
SELECT r.release, r.year, c.effective_from AS valid_from, c.valid_to, r.released_on
FROM releases AS r
JOIN calendar AS c USING (release)
