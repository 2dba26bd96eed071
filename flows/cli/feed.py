"""`pfs export` and `pfs dictionary`: what dashboards and documentation read."""
