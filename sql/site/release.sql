-- site release: one row, the release a site shows: its dates, CMS files, source and ranking definition.
-- inputs: releases, release_validity; parameters $r (release), $v (cf_variant).
SELECT r.release, r.year, v.valid_from, v.valid_to, r.released_on, r.files, r.files_missing, r.origin,
       r.archive_sha256, r.ranking_definition, list_contains(r.cf_variants, $v) AS has_variant
FROM releases AS r
JOIN release_validity AS v USING (release)
WHERE r.release = $r
