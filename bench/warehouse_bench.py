"""The warehouse benchmark: every question of bench/queries.txt at 1M deals, answered by crmq in
memory, by crmq on PostgreSQL (`crmq push`, then `crmq --connect`), and by the ClickHouse 26.9
engine (chdb, in-process) running crmq's compiled SQL, side by side in one run.

Each question runs `--runs` times in one session per engine (the first run is not dropped) and
the median is reported: for crmq in memory and on PostgreSQL it is the statement time crmq's
`--timer` prints (compile, send, wait, read the cells back; the data already loaded), for chdb the
time of the query call. Loads are timed too: crmq's load of the CSVs, `crmq push` to PostgreSQL,
chdb's INSERT from the CSVs.

Usage: python3 bench/warehouse_bench.py [--data DIR] [--runs K] [--crmq PATH] [--database NAME]
(generate DIR first with: crmq-bench generate --deals 1000000 --seed 7 --out DIR; PostgreSQL
reached as psql is: PGHOST and the other libpq variables.)
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from questions import read_queries  # noqa: E402
from warehouse_check import ClickHouse  # noqa: E402

TODAY = "2026-10-05"


def timed_statements(command, questions, runs):
    """Runs every question `runs` times in one crmq session; the --timer times of each, in order."""
    script = "\n".join(q for q in questions for _ in range(runs)) + "\n"
    started = time.monotonic()
    result = subprocess.run(command + ["--timer", "--format", "csv", "--output-dir", "/tmp/crmq-wbench-out", "-"],
                            input=script, capture_output=True, text=True)
    wall = time.monotonic() - started
    times = [float(m) for m in re.findall(r"^time: ([0-9.]+) ms$", result.stderr, re.M)]
    load = re.search(r"^(?:load|connect): ([0-9.]+) ms$", result.stderr, re.M)
    if len(times) != len(questions) * runs:
        sys.exit(f"{command[0]} ran {len(times)} of {len(questions) * runs} statements:\n{result.stderr[-3000:]}")
    medians = [statistics.median(times[i * runs:(i + 1) * runs]) for i in range(len(questions))]
    return medians, float(load.group(1)) if load else None, wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/tmp/bench1m")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--crmq", default=".build/release/crmq")
    parser.add_argument("--database", default="crmq_bench")
    args = parser.parse_args()
    questions = [q["crmq"] for q in read_queries()]
    os.makedirs("/tmp/crmq-wbench-out", exist_ok=True)
    binary = args.crmq

    memory, memory_load, _ = timed_statements([binary, "--data", args.data, "--today", TODAY], questions, args.runs)

    subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {args.database}"], check=True)
    subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f"CREATE DATABASE {args.database}"], check=True)
    url = f"postgresql:///{args.database}"
    started = time.monotonic()
    subprocess.run([binary, "push", "--data", args.data, "--to", url], check=True, capture_output=True)
    push_ms = (time.monotonic() - started) * 1000
    subprocess.run(["psql", "-X", "-q", "-d", args.database, "-c", "VACUUM ANALYZE"], check=True)
    postgres, _, _ = timed_statements([binary, "--connect", url, "--today", TODAY], questions, args.runs)

    clickhouse = ClickHouse(args.database)
    global_data = args.data
    import warehouse_check
    warehouse_check.DATA = global_data
    started = time.monotonic()
    clickhouse.load(binary)
    chdb_load_ms = (time.monotonic() - started) * 1000
    chdb = []
    for question in questions:
        sql = subprocess.run([binary, "compile", "--target", "clickhouse", "--data", "examples/data", "--today", TODAY,
                              "-c", question], capture_output=True, text=True, check=True).stdout
        times = []
        for _ in range(args.runs):
            started = time.monotonic()
            rows, error = clickhouse.run(sql)
            times.append((time.monotonic() - started) * 1000)
            if error:
                sys.exit(f"chdb refused {question}: {error}")
        chdb.append(statistics.median(times))

    print(f"warehouse benchmark: {args.data}, medians of {args.runs} runs, ms")
    print(f"load: crmq {memory_load:.0f} ms from CSV; crmq push to PostgreSQL {push_ms:.0f} ms; "
          f"chdb INSERT from CSV {chdb_load_ms:.0f} ms")
    print()
    print("| question | crmq in memory | crmq on PostgreSQL 15 | ClickHouse 26.9 (chdb) |")
    print("|---|---:|---:|---:|")
    for question, a, b, c in zip(questions, memory, postgres, chdb):
        print(f"| `{question}` | {a:.1f} | {b:.1f} | {c:.1f} |")
    print(f"| sum of medians | {sum(memory):.1f} | {sum(postgres):.1f} | {sum(chdb):.1f} |")


if __name__ == "__main__":
    main()
