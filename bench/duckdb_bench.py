"""The DuckDB side of crmq-bench: load the same CSV folder, run the same questions in SQL.

Usage: python3 bench/duckdb_bench.py FOLDER QUERIES.sql LOADS RUNS
Prints `load <ms>…`, `load_cpu <ms>…` (user + system time of the load), one `query <ms>…` line per query, and `peak_mb <MB>`.
"""
import resource
import sys
import time

import duckdb

from duckdb_load import load as load_tables


def load(folder):
    return load_tables(duckdb.connect(), folder)


def cpu_ms():
    """User and system time of this process so far, every thread's (DuckDB's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1000


def main():
    folder, queries_file, loads, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    queries = [q.strip() for q in open(queries_file, encoding="utf-8").read().split(";\n") if q.strip()]
    load_times = []
    load_cpu = []
    con = None
    for _ in range(loads):
        if con is not None:
            con.close()
        started = time.perf_counter()
        cpu = cpu_ms()
        con = load(folder)
        load_times.append((time.perf_counter() - started) * 1000)
        load_cpu.append(cpu_ms() - cpu)
    print("load " + " ".join(f"{t:.3f}" for t in load_times))
    print("load_cpu " + " ".join(f"{t:.3f}" for t in load_cpu))
    for sql in queries:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            con.execute(sql).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        print("query " + " ".join(f"{t:.3f}" for t in times))
    print(f"peak_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")


if __name__ == "__main__":
    main()
