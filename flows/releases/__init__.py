"""The fee-schedule releases: discovered on CMS's pages, acquired, built into their tables and published."""
