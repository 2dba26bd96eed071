"""`pfs sql`: DuckDB over the lake's tables and views, read-only, in four output formats."""
