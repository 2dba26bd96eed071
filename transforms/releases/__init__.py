"""The fee-schedule releases' parsers: PPRRVU, GPCI, LOCCO, ANES, OPPSCAP, the tables of a release, categories,
and CMS's pages read for new releases."""
