"""Checks crmq's answers against DuckDB on the same files.

Runs every question of bench/queries.txt through the crmq binary (CSV output) and through DuckDB
SQL over examples/data, and fails when any cell differs. Money is compared exactly, to the kopeck.

Usage: python3 bench/crosscheck.py [path/to/crmq]   (default .build/debug/crmq)
"""
import csv
import io
import subprocess
import sys
from decimal import Decimal

import duckdb
from duckdb_load import load
from questions import print_difference, read_queries, rows_match

DATA = "examples/data"
TODAY = "2026-10-05"


def cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/crmq"
    con = duckdb.connect()
    load(con, DATA)
    failures = 0
    queries = read_queries()
    for query in queries:
        run = subprocess.run(
            [binary, "--data", DATA, "--today", TODAY, "--format", "csv", "-c", query["crmq"]],
            capture_output=True, text=True,
        )
        if run.returncode != 0:
            print(f"FAIL {query['crmq']}: crmq exited {run.returncode}\n{run.stderr}")
            failures += 1
            continue
        mine = list(csv.reader(io.StringIO(run.stdout)))[1:]
        theirs = [[cell(v) for v in row] for row in con.execute(query["sql"]).fetchall()]
        if not rows_match(mine, theirs):
            failures += 1
            print(f"FAIL {query['crmq']}")
            print_difference(mine, theirs, "duckdb")
        else:
            print(f"ok   {query['crmq']} ({len(mine)} rows)")
    print(f"{len(queries) - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
