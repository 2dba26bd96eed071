-- release_validity: one row per release of the lake: the dates of service it prices, by the CMS calendar
-- (release_calendar: a release is in force until the day before the next release of the calendar takes effect,
-- whether or not the lake holds that one). inputs: releases (every release of the lake), release_calendar.
SELECT r.release, r.year, c.effective_from AS valid_from, c.valid_to, r.released_on
FROM releases AS r
JOIN release_calendar AS c USING (release)
