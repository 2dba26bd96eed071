-- change_pairs: one row per pair of consecutive releases of the lake, in the order they took effect.
-- inputs: release_validity. code_change and gpci_change compare the two releases of each pair.
SELECT from_release, to_release
FROM (
    SELECT lag(release) OVER (ORDER BY valid_from, released_on, release) AS from_release, release AS to_release
    FROM release_validity
)
WHERE from_release IS NOT NULL
