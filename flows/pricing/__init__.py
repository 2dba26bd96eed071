"""Pricing claim lines against the lake (`pfs price`), as set-based SQL in DuckDB (sql/pricing/)."""
