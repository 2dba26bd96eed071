-- release_on: the release of the lake in force on the date of service $day (none, or one row).
-- inputs: release_validity.
SELECT release FROM release_validity
WHERE valid_from <= $day AND coalesce(valid_to, DATE '9999-12-31') >= $day
