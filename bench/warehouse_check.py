"""Checks that crmq's SQL gives crmq's answers on real engines, cell by cell.

PostgreSQL (a server, through psql): creates a database, makes the canonical tables with
`crmq schema --target postgres`, loads examples/data into them (extra columns such as "Город"
added as text). ClickHouse (the ClickHouse 26.9 engine in-process, from PyPI's chdb): the same
with `crmq schema --target clickhouse`. Then for every question of bench/queries.txt, the list
below, and the golden files' queries that run on the bundled data: compiles it with `crmq compile --target ENGINE`, runs the SQL on the engine, and
compares the rows with `crmq --format csv` on the same files. A question that does not compile
yet (error E0801) is listed as such; a compiled one that answers otherwise fails the check.

With `--engine connect`, crmq itself does both halves on a real PostgreSQL: `crmq push` puts
examples/data into the database, and each question runs as `crmq --connect URL --format csv`
(compiled, sent through libpq, cells read back), compared with the same question in memory.
`--engine clickhouse-connect` does the same on ClickHouse 26.9 (chdb) behind bench/chdb_http.py,
its HTTP interface: push, the push checks, completion, every question through crmq's client.

Usage: python3 bench/warehouse_check.py [--engine postgres|clickhouse|connect|clickhouse-connect] [path/to/crmq] [database]
(psql must reach the server as the current user: PGHOST, PGPORT and PGUSER work as usual.)
"""
import csv
import io
import os
import subprocess
import sys

from checks import cancel_through_protocol
from questions import golden_queries, print_difference, read_queries, rows_match
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
    "show calls where duration_sec > 1500 and manager = 'Иван Петров' order by manager limit 7",
    "show stage_history where deal_id <= 3",
    "show deals where status = 'lost' order by lost_at desc, amount limit 12",
    "count, sum(amount) by lost_at where pipeline = 'Продажи' order by count desc",
    "show spend where cost > 40000 order by source limit 5",
    "show deals columns \"Город\", lost_at, repeat where status = 'lost' order by amount desc limit 6",
    "show deals columns name, stage_group where amount > 500k",
    "deals, won, revenue, spend by source period 2026-09 top 3 with total",
    "deals, won, revenue, spend, cpl, romi by source period 2026-Q3 with total",
    "calls, won, revenue by manager period 2026-09 order by calls desc limit 2 with total",
    "revenue, won, avg_check by manager period 2026-09 compare previous with total",
    "revenue, win_rate by manager period 2026-Q3 compare year top 3 with total",
    "deals, won, spend, cpl by source period 2026-Q3 compare previous with total",
    "deals, won by month period 2026-Q3 compare year with total",
    "count, median(amount) by pipeline period 2026-09 compare previous order by count desc limit 1 with total",
    "set first_weekday = sunday; count by week period last 2 weeks compare previous",
    "set first_weekday = sunday; deals, won by week period 2026-Q3 with total",
    "set first_weekday = wednesday; sum(amount) by week(closed_at) where status = 'won' period 2026-09",
    "set first_weekday = saturday; count by week, weekday period last 3 weeks compare year",
    "funnel classic by manager period 2026-Q3",
    "funnel classic period 2026-09 compare previous",
    "funnel by month where pipeline = 'Продажи' period 2026-Q3 compare year",
    "funnel by repeat where amount > 100k",
    "funnel by month where pipeline = 'Повторные продажи' period 2026-Q3",
    "stages 'Продажи': 'Новая заявка', 'Переговоры', 'Успешно реализовано'; "
    "funnel classic by manager where pipeline = 'Продажи' period 2026-Q3",
    "stages 'Продажи': 'Новая заявка', 'Переговоры', 'Успешно реализовано'; funnel by source period 2026",
    # Stages sort in stage order: the stages table's, a `stages` list in place of a pipeline's, either direction.
    "count by stage order by stage desc",
    "stages 'Продажи': 'Переговоры', 'Новая заявка'; count by pipeline, stage",
    "won, lost by lost_at period 2026-09 compare previous",
    "count by pipeline, stage top 5 with total",
]

# Run again on the bundled data without its stages table: funnels then order the stages as
# inferred from stage_history, and stage_group and lost_at follow their rules for no stages.
WITHOUT_STAGES = [
    "funnel",
    "funnel by source period 2026-Q3",
    "funnel classic by manager period 2026-Q3",
    "funnel classic period 2026-09 compare previous",
    "funnel by month where pipeline = 'Продажи' period 2026-Q3 compare year",
    "stages 'Продажи': 'Новая заявка', 'Переговоры', 'Успешно реализовано'; funnel by source period 2026",
    "count, sum(amount) by stage_group, pipeline",
    "count, sum(amount) by lost_at where pipeline = 'Продажи' order by count desc",
    "show deals where status = 'lost' order by lost_at desc, amount limit 12",
    "count by pipeline, stage top 5 with total",
]


def schema(binary, target):
    """The canonical tables as `crmq schema` writes them, and each table's column types."""
    text = subprocess.run([binary, "schema", "--target", target], capture_output=True, text=True, check=True).stdout
    quote = '"' if target == "postgres" else "`"
    kinds = {}
    for statement in text.split(";"):
        lines = statement.strip().splitlines()
        if not lines:
            continue
        table = lines[0].split(quote)[1]
        kinds[table] = {}
        for line in lines[1:-1]:
            parts = line.strip().split(quote)
            kinds[table][parts[1]] = parts[2].strip(" ,")
    return text, kinds


def data_files(kinds):
    """Each table with a file in the data folder: its path, the file's header, its extra columns."""
    for table, columns in kinds.items():
        path = os.path.join(DATA, table + ".csv")
        if os.path.exists(path):
            header = next(csv.reader(open(path, encoding="utf-8")))
            yield table, os.path.abspath(path), header, [name for name in header if name not in columns]


class Postgres:
    name = "postgres"

    def __init__(self, database):
        self.database = database
        subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=True)
        subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f"CREATE DATABASE {database}"], check=True)

    def psql(self, args, stdin=None):
        return subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.database] + args,
            input=stdin, capture_output=True, text=True,
        )

    def load(self, binary):
        text, kinds = schema(binary, "postgres")
        setup = self.psql(["-f", "-"], text)
        if setup.returncode != 0:
            sys.exit(f"cannot create the tables:\n{setup.stderr}")
        for table, path, header, extras in data_files(kinds):
            columns = kinds[table]
            staging = ", ".join(f'"{name}" text' for name in header)
            casts = []
            for name in header:
                if table == "plans" and name == "period":
                    casts.append(f"to_date(\"{name}\" || '-01', 'YYYY-MM-DD')")
                else:
                    casts.append(f'CAST("{name}" AS {columns.get(name, "text")})')
            script = "".join(f'ALTER TABLE "{table}" ADD COLUMN "{name}" text;\n' for name in extras)
            script += f"CREATE TEMP TABLE staging ({staging});\n"
            script += f"\\copy staging FROM '{path}' WITH (FORMAT csv, HEADER true)\n"
            names = ", ".join(f'"{name}"' for name in header)
            script += f'INSERT INTO "{table}" ({names}) SELECT {", ".join(casts)} FROM staging;\nDROP TABLE staging;\n'
            result = self.psql(["-f", "-"], script)
            if result.returncode != 0:
                sys.exit(f"cannot load {path}:\n{result.stderr}")

    def run(self, sql):
        """The result's rows with its header first, or the engine's error."""
        result = self.psql(["--csv", "-f", "-"], sql)
        if result.returncode != 0:
            return None, result.stderr
        return list(csv.reader(io.StringIO(result.stdout))), None


class Connected:
    """crmq on PostgreSQL end to end: `crmq push`, then `crmq --connect`."""

    name = "connect"

    def __init__(self, database):
        subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=True)
        subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c", f"CREATE DATABASE {database}"], check=True)
        self.url = f"postgresql:///{database}"
        self.database = database

    def server(self, sql):
        """A statement run on the server by psql; its answer's one value."""
        return subprocess.run(
            ["psql", "-X", "-tA", "-d", self.database, "-c", sql], capture_output=True, text=True, check=True
        ).stdout.strip()

    def block_swap(self):
        # A view named like a table blocks the swap of the tables.
        self.server("ALTER TABLE plans RENAME TO plans_kept; CREATE VIEW plans AS SELECT * FROM plans_kept")

    def unblock_swap(self):
        self.server("DROP VIEW plans; ALTER TABLE plans_kept RENAME TO plans")

    def left(self):
        """The deals rows and the staged tables left on the server."""
        return self.server(
            "SELECT (SELECT count(*) FROM deals) || ' ' || (SELECT count(*) FROM information_schema.tables "
            "WHERE table_name LIKE 'crmq_push_%')"
        )

    def load_once(self, binary):
        """`crmq push` of DATA, once."""
        self.binary = binary
        pushed = subprocess.run([binary, "push", "--data", DATA, "--to", self.url], capture_output=True, text=True)
        if pushed.returncode != 0:
            sys.exit(f"crmq push failed:\n{pushed.stderr}")
        print(pushed.stdout, end="")

    def load(self, binary):
        self.load_once(binary)
        # A second push must not replace what is there unless asked; one that fails halfway
        # (the swap of plans blocked) leaves every table as it was.
        again = subprocess.run([binary, "push", "--data", DATA, "--to", self.url], capture_output=True, text=True)
        if again.returncode != 1 or "add --replace" not in again.stderr:
            sys.exit(f"a push over existing tables without --replace did not refuse:\n{again.stderr}")
        self.block_swap()
        self.server("DELETE FROM deals WHERE id > 10")
        blocked = subprocess.run(
            [binary, "push", "--data", DATA, "--to", self.url, "--replace"], capture_output=True, text=True
        )
        left = self.left()
        if blocked.returncode != 1 or left != "10 0":
            sys.exit(f"a failed push changed the server (deals rows, staged tables left: {left}):\n{blocked.stderr}")
        self.unblock_swap()
        replaced = subprocess.run(
            [binary, "push", "--data", DATA, "--to", self.url, "--replace"], capture_output=True, text=True
        )
        if replaced.returncode != 0:
            sys.exit(f"crmq push --replace failed:\n{replaced.stderr}")
        print("push: refuses existing tables without --replace; a failed push leaves them as they were; --replace replaces")

    def ask(self, question, today):
        """The question run on the server by crmq: its CSV rows, or its error."""
        result = subprocess.run(
            [self.binary, "--connect", self.url, "--today", today, "--format", "csv", "-c", question],
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            return None, result.stderr
        return list(csv.reader(io.StringIO(result.stdout))), None


    def completion_check(self):
        """Tab under --connect completes from the server: its columns, and a column's values."""
        import json

        requests = [
            {"id": 1, "method": "complete", "params": {"line": "count by man", "cursor": 12}},
            {"id": 2, "method": "complete", "params": {"line": "count where source = 'Ян", "cursor": 24}},
        ]
        answered = subprocess.run(
            [self.binary, "serve", "--stdio", "--connect", self.url],
            input="".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests), capture_output=True, text=True,
            timeout=60,
        )
        results = [json.loads(line)["result"]["candidates"] for line in answered.stdout.splitlines()]
        if results != [["manager"], ["'Яндекс Директ'"]]:
            sys.exit(f"completion on the server: {results}\n{answered.stderr}")
        print("complete: columns and values come from the server")

    def cancel_check(self):
        """Ctrl-C's path on a server: a statement held by a lock another session keeps, cancelled
        through the protocol's `cancel`, answers E0602 and is gone from the server too."""
        import time

        holder = subprocess.Popen(
            ["psql", "-X", "-q", "-d", self.database],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        )
        holder.stdin.write("BEGIN;\nLOCK TABLE deals IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(60);\n")
        holder.stdin.flush()
        time.sleep(1)
        try:
            waiting, codes, after, answers = cancel_through_protocol(
                self.binary, self.url, "count by stage",
                waiting=lambda: self.server(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%#g0%'"),
                left=lambda: self.server(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%#g0%' AND pid <> pg_backend_pid()"),
                seconds=10,
            )
        finally:
            holder.kill()
            subprocess.run(
                ["psql", "-X", "-tA", "-d", self.database, "-c",
                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' "
                 "AND pid <> pg_backend_pid()"], capture_output=True, text=True,
            )
        if waiting != "1" or codes != ["E0602"] or after != "0":
            sys.exit(f"cancel on the server: waiting {waiting}, answers {answers}, left on the server {after}")
        print("cancel: a statement waiting on the server is cancelled there and answers E0602")


class ConnectedClickHouse(Connected):
    """crmq on ClickHouse 26.9 end to end: `crmq push`, then `crmq --connect clickhouse://…`,
    through bench/chdb_http.py (ClickHouse's HTTP interface over the chdb engine; no modern
    ClickHouse server can be installed here)."""

    name = "clickhouse-connect"
    bridge = None

    def __init__(self, database):
        import socket
        import time
        import urllib.request

        if ConnectedClickHouse.bridge is None:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            here = os.path.dirname(os.path.abspath(__file__))
            process = subprocess.Popen(
                [sys.executable, os.path.join(here, "chdb_http.py"), str(port)], stdout=subprocess.PIPE, text=True
            )
            if process.stdout.readline().strip() != "ready":
                sys.exit("the ClickHouse HTTP bridge did not start")
            import atexit

            atexit.register(process.kill)
            ConnectedClickHouse.bridge = (process, f"http://127.0.0.1:{port}")
        self.address = ConnectedClickHouse.bridge[1]
        self.request = lambda path, body: urllib.request.urlopen(
            urllib.request.Request(self.address + path, data=body.encode())
        ).read().decode()
        self.database = database
        self.request("/", f"DROP DATABASE IF EXISTS {database}")
        self.request("/", f"CREATE DATABASE {database}")
        self.url = f"clickhouse://127.0.0.1:{self.address.rsplit(':', 1)[1]}/{database}"

    def server(self, sql):
        return self.request(f"/?database={self.database}", sql).strip()

    def block_swap(self):
        # The server refuses the last table's exchange: those exchanged before it go back.
        self.request("/refuse", "EXCHANGE TABLES `crmq_push_plans`")

    def unblock_swap(self):
        self.request("/refuse", "")

    def left(self):
        return self.server(
            "SELECT toString((SELECT count() FROM deals)) || ' ' || toString((SELECT count() FROM system.tables "
            "WHERE database = currentDatabase() AND name LIKE 'crmq_push_%'))"
        )

    def cancel_check(self):
        print("cancel: checked on PostgreSQL (the bridge runs one statement at a time)")


class ClickHouse:
    name = "clickhouse"
    shared = None

    def __init__(self, database):
        from chdb import session

        # One session for both databases: chdb keeps one engine per process.
        if ClickHouse.shared is None:
            ClickHouse.shared = session.Session()
        self.session = ClickHouse.shared
        self.session.query(f"DROP DATABASE IF EXISTS {database}")
        self.session.query(f"CREATE DATABASE {database}")
        self.session.query(f"USE {database}")
        # Money shows its two decimals, as crmq and PostgreSQL print it.
        self.session.query("SET output_format_decimal_trailing_zeros = 1")

    def load(self, binary):
        text, kinds = schema(binary, "clickhouse")
        for statement in text.split(";"):
            if statement.strip():
                self.session.query(statement)
        for table, path, header, extras in data_files(kinds):
            columns = kinds[table]
            for name in extras:
                self.session.query(f"ALTER TABLE `{table}` ADD COLUMN `{name}` Nullable(String)")
            structure = ", ".join(f"`{name}` Nullable(String)" for name in header)
            casts = []
            for name in header:
                value = f"nullIf(`{name}`, '')"
                if table == "plans" and name == "period":
                    casts.append(f"toDate32(concat({value}, '-01'))")
                else:
                    casts.append(f"CAST({value} AS {columns.get(name, 'Nullable(String)')})")
            names = ", ".join(f"`{name}`" for name in header)
            self.session.query(
                f"INSERT INTO `{table}` ({names}) SELECT {', '.join(casts)} "
                f"FROM file('{path}', 'CSVWithNames', '{structure}')"
            )

    def run(self, sql):
        try:
            out = self.session.query(sql.strip().rstrip(";"), "CSVWithNames").bytes().decode()
        except Exception as error:  # chdb raises its engine's error as a plain exception
            return None, str(error)
        rows = list(csv.reader(io.StringIO(out)))
        return [["" if cell == "\\N" else cell for cell in row] for row in rows], None


def without_stages():
    """The bundled data without stages.csv: a folder of links to its other files."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="crmq-no-stages-")
    for name in os.listdir(DATA):
        if name != "stages.csv":
            os.symlink(os.path.abspath(os.path.join(DATA, name)), os.path.join(folder, name))
    return folder


def main():
    global DATA
    args = sys.argv[1:]
    target = "postgres"
    if args[:1] == ["--engine"]:
        target, args = args[1], args[2:]
    binary = args[0] if args else ".build/debug/crmq"
    database = args[1] if len(args) > 1 else "crmq_check"
    make = {
        "postgres": Postgres, "clickhouse": ClickHouse, "connect": Connected, "clickhouse-connect": ConnectedClickHouse
    }[target]
    engine = make(database)
    engine.load(binary)
    questions = [(query["crmq"], TODAY) for query in read_queries()] + [(question, TODAY) for question in MORE]
    # Every query record of the golden files that runs on the bundled data, but `explain`.
    questions += [item for item in golden_queries() if item not in questions and not item[0].startswith("explain")]
    passed, failed, not_compiled = check(binary, target, engine, questions)
    if target.endswith("connect"):
        engine.completion_check()
        engine.cancel_check()
    DATA = without_stages()
    print(f"-- without stages.csv ({DATA})")
    engine = make(database + "_nostages")
    if target.endswith("connect"):
        engine.load_once(binary)
    else:
        engine.load(binary)
    more = check(binary, target, engine, [(question, TODAY) for question in WITHOUT_STAGES])
    passed, failed, not_compiled = passed + more[0], failed + more[1], not_compiled + more[2]
    print(f"{target}: {not_compiled} not compiled yet")
    print(f"{target}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def check(binary, target, engine, questions):
    """Each question compiled and run on the engine against crmq on DATA: passed, failed, not compiled."""
    passed = failed = not_compiled = 0
    for question, today in questions:
        compiled = subprocess.run(
            [binary, "compile", "--target", {"connect": "postgres", "clickhouse-connect": "clickhouse"}.get(target, target), "--data", DATA, "--today", today, "-c", question],
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
            [binary, "--data", DATA, "--today", today, "--format", "csv", "-c", question], capture_output=True, text=True
        )
        if mine.returncode != 0:
            print(f"FAIL {question}: crmq exited {mine.returncode} but compiled it\n{mine.stderr}")
            failed += 1
            continue
        b, error = engine.ask(question, today) if target.endswith("connect") else engine.run(compiled.stdout)
        if error is not None:
            print(f"FAIL {question}: {target} refused the SQL\n{error}\n{compiled.stdout}")
            failed += 1
            continue
        a = list(csv.reader(io.StringIO(mine.stdout)))
        if a[:1] != b[:1] or not rows_match(a[1:], b[1:]):
            failed += 1
            print(f"FAIL {question}")
            if a[:1] != b[:1]:
                print(f"  columns: crmq {a[:1]}, {target} {b[:1]}")
            print_difference(a[1:], b[1:], target)
        else:
            passed += 1
            print(f"ok   {question} ({len(a) - 1} rows)")
    return passed, failed, not_compiled


if __name__ == "__main__":
    main()
