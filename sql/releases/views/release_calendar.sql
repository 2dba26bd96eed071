-- release_calendar: one row per release of config/releases.toml (the CMS calendar), whether or not the lake holds
-- it. inputs: _release_calendar (the catalog's rows, written into pfs.duckdb with the views).
SELECT release, year, effective_from FROM _release_calendar
