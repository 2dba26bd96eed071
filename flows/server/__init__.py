"""A long-lived local Prefect server for a lake, started and stopped on the user's word (`pfs server`)."""
