-- calendar_on: the release of the CMS calendar in force on the date of service $day, held by the lake or not
-- (none, or one row): of releases taking effect the same day, the later label (a correction).
-- inputs: release_calendar.
SELECT release FROM release_calendar
WHERE effective_from <= $day
ORDER BY effective_from DESC, release DESC
LIMIT 1
