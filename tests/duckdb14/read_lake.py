"""Open pfs.duckdb (argv[1]) with this environment's DuckDB and read every table and view of it: print, as JSON,
DuckDB's version, each one's row count, and the fee_locality rows of one code (argv[2]) as text."""

import json
import sys

import duckdb

con = duckdb.connect(sys.argv[1], read_only=True)
names = [row[0] for row in con.execute(
    "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND NOT temporary "
    "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary ORDER BY 1"
).fetchall()]  # fmt: skip
counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
rows = con.execute("SELECT * FROM fee_locality WHERE hcpcs = ? ORDER BY ALL", [sys.argv[2]]).fetchall()
fees = [[str(value) for value in row] for row in rows]
print(json.dumps({"version": duckdb.__version__, "counts": counts, "fee_locality": fees}))
