"""Checks that crmq's SQL gives crmq's answers on a real PostgreSQL, cell by cell.

Creates a database, makes the canonical tables with `crmq schema --target postgres`, loads
examples/data into them (extra columns such as "Город" added as text), then for every question
of bench/queries.txt and the list below: compiles it with `crmq compile --target postgres`, runs
the SQL with psql, and compares the rows with `crmq --format csv` on the same files. A question
that does not compile yet (error E0801) is listed as such; a compiled one that answers otherwise
fails the check.

Usage: python3 bench/warehouse_check.py [path/to/crmq] [database]
(psql must reach the server as the current user: PGHOST, PGPORT and PGUSER work as usual.)
"""
import csv
import io
import os
import subprocess
import sys

from questions import print_difference, read_queries, rows_match

DATA = "examples/data"
TODAY = "2026-10-05"

# Questions beyond the benchmark's, for what the compiler covers: every built-in measure kind,
# buckets, conditions, totals, merges over several tables and dates.
MORE = [
    "count, sum(amount), avg(amount), min(amount), max(amount), median(amount) by pipeline",
    "count(distinct client) by source where amount >= 100k",
    "deals by quarter period 2026",
    "deals, won by week period 2026-Q3",
    "count by weekday, hour of calls where direction = 'in'",
    "sum(amount) by day period 2026-09-01..2026-09-07",
    "count by manager where name contains 'монтаж' or client starts with 'ип'",
    "count by stage where loss_reason is null and status != 'open'",
    "revenue, avg_check, win_rate by manager period 2026-Q3 order by revenue desc",
    "count by \"Город\", pipeline top 5 with total",
    "won, revenue by source period 2026 top 3 with total",
    "deals, won, lost, revenue, lost_amount, win_rate by manager period 2026-09 with total",
    "calls, missed, missed_rate, avg_talk, talk_time by manager period 2026-09",
    "spend, cpl, cac, romi by source period 2026-Q3",
    "plan, plan_done, plan_count_done by manager period 2026-09",
    "cycle, cycle_avg by manager period 2026",
    "sum(amount) / count as per_deal by manager",
    "count where amount > 1m",
    "show deals where amount > 2m",
    "won_of_created by month period 2026",
    "count, sum(amount) by repeat, pipeline",
    "repeat_won, won by quarter period 2026",
    "deals, won by month period 2026-Q3 compare previous",
    "deals, won by week period 2026-09-01..2026-09-20 compare previous",
    "deals by day period 2026-09-01..2026-09-10 compare previous",
    "revenue, win_rate by manager period 2026-Q3 compare year top 3",
    "count by source period last month compare previous order by count desc limit 4",
    "avg_check, cycle_avg by pipeline, quarter period 2026 compare year",
    "count, sum(amount) by stage_group, pipeline",
    "count by stage_group, repeat where amount > 100k",
]


def psql(database, args, stdin=None):
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database] + args,
        input=stdin, capture_output=True, text=True,
    )


def load(binary, database):
    schema = subprocess.run([binary, "schema", "--target", "postgres"], capture_output=True, text=True, check=True).stdout
    setup = psql(database, ["-f", "-"], schema)
    if setup.returncode != 0:
        sys.exit(f"cannot create the tables:\n{setup.stderr}")
    kinds = {}
    for statement in schema.split(";"):
        lines = statement.strip().splitlines()
        if not lines:
            continue
        table = lines[0].split('"')[1]
        kinds[table] = {line.strip().split('"')[1]: line.strip().split('"')[2].strip(" ,") for line in lines[1:-1]}
    for table, columns in kinds.items():
        path = os.path.join(DATA, table + ".csv")
        if not os.path.exists(path):
            continue
        header = next(csv.reader(open(path, encoding="utf-8")))
        extras = [name for name in header if name not in columns]
        staging = ", ".join(f'"{name}" text' for name in header)
        casts = []
        for name in header:
            kind = columns.get(name, "text")
            if table == "plans" and name == "period":
                casts.append(f"to_date(\"{name}\" || '-01', 'YYYY-MM-DD')")
            else:
                casts.append(f'CAST("{name}" AS {kind})')
        script = "".join(f'ALTER TABLE "{table}" ADD COLUMN "{name}" text;\n' for name in extras)
        script += f'CREATE TEMP TABLE staging ({staging});\n'
        script += f"\\copy staging FROM '{os.path.abspath(path)}' WITH (FORMAT csv, HEADER true)\n"
        names = ", ".join(f'"{name}"' for name in header)
        script += f'INSERT INTO "{table}" ({names}) SELECT {", ".join(casts)} FROM staging;\nDROP TABLE staging;\n'
        result = psql(database, ["-f", "-"], script)
        if result.returncode != 0:
            sys.exit(f"cannot load {path}:\n{result.stderr}")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/crmq"
    database = sys.argv[2] if len(sys.argv) > 2 else "crmq_check"
    subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {database}"], check=True)
    subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f"CREATE DATABASE {database}"], check=True)
    load(binary, database)
    passed = failed = not_compiled = 0
    for question in [query["crmq"] for query in read_queries()] + MORE:
        compiled = subprocess.run(
            [binary, "compile", "--target", "postgres", "--data", DATA, "--today", TODAY, "-c", question],
            capture_output=True, text=True,
        )
        if compiled.returncode != 0:
            if "E0801" in compiled.stderr:
                reason = compiled.stderr.splitlines()[0].split("not compiled to SQL: ", 1)[-1]
                print(f"--   {question}: not compiled yet ({reason})")
                not_compiled += 1
                continue
            print(f"FAIL {question}: compile exited {compiled.returncode}\n{compiled.stderr}")
            failed += 1
            continue
        mine = subprocess.run(
            [binary, "--data", DATA, "--today", TODAY, "--format", "csv", "-c", question], capture_output=True, text=True
        )
        theirs = psql(database, ["--csv", "-f", "-"], compiled.stdout)
        if theirs.returncode != 0:
            print(f"FAIL {question}: PostgreSQL refused the SQL\n{theirs.stderr}\n{compiled.stdout}")
            failed += 1
            continue
        a = list(csv.reader(io.StringIO(mine.stdout)))
        b = list(csv.reader(io.StringIO(theirs.stdout)))
        if a[:1] != b[:1] or not rows_match(a[1:], b[1:]):
            failed += 1
            print(f"FAIL {question}")
            if a[:1] != b[:1]:
                print(f"  columns: crmq {a[:1]}, postgres {b[:1]}")
            print_difference(a[1:], b[1:], "postgres")
        else:
            passed += 1
            print(f"ok   {question} ({len(a) - 1} rows)")
    print(f"warehouse: {not_compiled} not compiled yet")
    print(f"warehouse: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
