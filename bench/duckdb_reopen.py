"""The DuckDB side of crmq-bench's snapshot row: open a database file of the same data and answer
the first question, as crmq opens its snapshot and answers it.

Usage: python3 bench/duckdb_reopen.py FOLDER QUERY.sql RUNS
Makes FOLDER/.bench.duckdb once (from the CSV files, as the load row does); then RUNS times opens
it, runs the query, closes it. Prints `reopen <ms>…` and `size <bytes>`.
"""
import os
import sys
import time

import duckdb

from duckdb_load import load as load_tables


def main():
    folder, query_file, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sql = open(query_file, encoding="utf-8").read().strip().rstrip(";")
    path = os.path.join(folder, ".bench.duckdb")
    if not os.path.exists(path):
        partial = path + ".partial"
        if os.path.exists(partial):
            os.remove(partial)
        con = load_tables(duckdb.connect(partial), folder)
        con.execute("CHECKPOINT")
        con.close()
        os.rename(partial, path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        con = duckdb.connect(path, read_only=True)
        con.execute(sql).fetchall()
        times.append((time.perf_counter() - started) * 1000)
        con.close()
    print("reopen " + " ".join(f"{t:.3f}" for t in times))
    print(f"size {os.path.getsize(path)}")


if __name__ == "__main__":
    main()
