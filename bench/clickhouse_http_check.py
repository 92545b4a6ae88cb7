"""crmq's ClickHouse client against a real ClickHouse HTTP server: Debian's clickhouse-server.

That server is ClickHouse 18.16 (2018). It speaks today's HTTP protocol but not today's SQL (no
CTEs, window functions, Date32 or DateTime64), so this checks the client, not the compiled SQL
(bench/warehouse_check.py --engine clickhouse runs that on ClickHouse 26.9): reaching the server,
the database chosen, reading its tables (system.columns), an answer read back, a wrong password, a statement the
server refuses (error E0803 with the SQL sent), and a push the server cannot take leaving it as
it was.

Usage: python3 bench/clickhouse_http_check.py [path/to/crmq]   (a server on localhost:8123)
"""
import subprocess
import sys
import urllib.request

from checks import Checks, cancel_through_protocol

SERVER = "http://localhost:8123/"


def server(sql, database=None):
    url = SERVER + (f"?database={database}" if database else "")
    with urllib.request.urlopen(urllib.request.Request(url, data=sql.encode())) as answer:
        return answer.read().decode()


def crmq(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/crmq"
    check = Checks("clickhouse http")

    version = server("SELECT version()").strip()
    print(f"clickhouse-server {version} on {SERVER}")
    server("DROP DATABASE IF EXISTS crmq_http")
    server("CREATE DATABASE crmq_http")
    server(
        "CREATE TABLE crmq_http.deals (id Nullable(Int64), name Nullable(String), manager Nullable(String), "
        "amount Nullable(Decimal(18, 2)), status Nullable(String), created_at Nullable(DateTime)) ENGINE = Memory"
    )
    server("INSERT INTO crmq_http.deals VALUES (1, 'Монтаж\tокна', 'Анна Смирнова', 1500.5, 'won', '2026-09-01 10:00:00')")

    url = "clickhouse://localhost/crmq_http"
    tables = crmq(binary, "--connect", url, "--format", "csv", "-c", "tables")
    check("the database's tables, read from system.columns", tables.returncode == 0 and "deals,8,created_at" in tables.stdout,
          tables.stdout + tables.stderr)

    answered = crmq(binary, "--connect", url, "--format", "csv", "-c",
                    "count, min(name), max(manager), sum(amount), max(created_at) where name contains 'окна'")
    check(
        "an answer read back: a tab inside a text, Cyrillic, money, a time",
        answered.returncode == 0
        and answered.stdout.splitlines()[-1] == "1,Монтаж\tокна,Анна Смирнова,1500.50,2026-09-01 10:00:00",
        answered.stdout + answered.stderr,
    )

    refused = crmq(binary, "--connect", url, "-c", "count by manager")
    check(
        "a statement the server refuses is E0803 with the server's message and the SQL sent",
        refused.returncode == 1 and "error[E0803]" in refused.stderr and "DB::Exception" in refused.stderr
        and "the SQL sent" in refused.stderr and "GROUP BY 1" in refused.stderr,
        refused.stderr,
    )

    wrong = crmq(binary, "--connect", "clickhouse://nobody:secret@localhost/crmq_http", "-c", "count")
    check(
        "a wrong user or password is E0802, said at once, the password never printed",
        wrong.returncode == 1 and "error[E0802]" in wrong.stderr and "HTTP 401" in wrong.stderr
        and "secret" not in wrong.stderr,
        wrong.stderr,
    )

    nothing = crmq(binary, "--connect", "clickhouse://localhost:1/crmq_http", "-c", "count")
    check("no server at the address is E0802", nothing.returncode == 1 and "error[E0802]" in nothing.stderr,
          nothing.stderr)

    pushed = crmq(binary, "push", "--data", "examples/data", "--to", url, "--replace")
    left = server("SELECT name FROM system.tables WHERE database = 'crmq_http' ORDER BY name")
    rows = server("SELECT count() FROM crmq_http.deals").strip()
    check(
        "a push the server cannot take fails and leaves its tables as they were",
        pushed.returncode == 1 and left.split() == ["deals"] and rows == "1",
        f"{pushed.stderr}\ntables left: {left.split()}, deals rows: {rows}",
    )
    server("DROP DATABASE crmq_http")

    # A statement that runs for minutes on 18.16: a count over a view of 10^11 numbers.
    server("DROP DATABASE IF EXISTS crmq_cancel")
    server("CREATE DATABASE crmq_cancel")
    server(
        "CREATE VIEW crmq_cancel.deals AS SELECT toInt64(number) AS id, toString(number) AS name "
        "FROM system.numbers LIMIT 100000000000"
    )
    running = "SELECT count() FROM system.processes WHERE query LIKE '%#a0%' AND query NOT LIKE '%system.processes%'"
    try:
        before, codes, after, answers = cancel_through_protocol(
            binary, "clickhouse://localhost/crmq_cancel", "count where name contains 'нет'",
            waiting=lambda: server(running).strip(), left=lambda: server(running).strip(), seconds=20,
        )
    finally:
        server("KILL QUERY WHERE query LIKE '%#a0%' AND query NOT LIKE '%KILL%' SYNC")
        server("DROP DATABASE crmq_cancel")
    check(
        "a statement running on the server, cancelled through the protocol, is E0602 and is gone from the server",
        before == "1" and codes == ["E0602"] and after == "0",
        f"running before the cancel: {before}, after: {after}, answers: {answers}",
    )
    check.finish()


if __name__ == "__main__":
    main()
