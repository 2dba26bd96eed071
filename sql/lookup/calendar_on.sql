-- calendar_on: the release of the CMS calendar in force on the date of service $day, held by the lake or not
-- (none, or one row). inputs: release_calendar.
SELECT release FROM release_calendar
WHERE effective_from <= $day AND coalesce(valid_to, DATE '9999-12-31') >= $day
