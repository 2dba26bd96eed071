"""The dashboard feed: a release of the lake as JSON per code, an index, JSON Schemas and CSV tables."""
