-- releases: one row per release of the lake (`pfs releases`), in the order they took effect: its dates of service,
-- its conversion factors (variant -> USD per RVU), the files it came from and where from.
-- inputs: releases, release_validity, conversion_factor.
SELECT r.release, r.year, v.valid_from AS effective_from, v.valid_to AS effective_to, r.released_on,
       (SELECT map(list(c.cf_variant ORDER BY c.cf_variant), list(c.conversion_factor_usd ORDER BY c.cf_variant))
        FROM conversion_factor AS c WHERE c.release = r.release) AS conversion_factors_usd,
       r.files, r.files_missing, r.origin, r.archive_sha256, r.archive_bytes
FROM releases AS r
LEFT JOIN release_validity AS v USING (release)
ORDER BY v.valid_from, r.release
