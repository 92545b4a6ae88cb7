"""ClickHouse's HTTP interface in front of the ClickHouse 26.9 engine of PyPI's chdb.

No modern ClickHouse server can be installed here (Debian's clickhouse-server is 18.16, which
cannot take today's SQL; chdb is the engine in-process, without a server). This serves the part
of the HTTP interface crmq uses, so `crmq push` and `crmq --connect clickhouse://…` run end to end
on the modern engine: a POST of the statement (as the body, or with data: the `query` parameter
followed by the body, as ClickHouse joins them), the `database` and `default_format` parameters,
answers with status 200, errors with status 500 and ClickHouse's own message (`Code: N.
DB::Exception: …`). Statements run one at a time. The engine, its SQL, its types, its
TabSeparated reading and writing and its EXCHANGE TABLES are ClickHouse's; the HTTP framing is
this file's (crmq's HTTP client itself is checked against the real 18.16 server, in
bench/clickhouse_http_check.py).

For a check of what crmq does when the server refuses a statement halfway through a push, a POST
to `/refuse` sets a text: statements containing it are refused (status 500, `Code: 497.
DB::Exception: refused for the check`) until a POST to `/refuse` with an empty body.

Usage: python3 bench/chdb_http.py PORT   (prints "ready" when it listens)
"""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from chdb import session

ENGINE = session.Session()
LOCK = threading.Lock()
REFUSE = [""]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        parameters = {name: values[-1] for name, values in parse_qs(urlsplit(self.path).query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if urlsplit(self.path).path == "/refuse":
            REFUSE[0] = body
            return self.reply(200, b"")
        statement = parameters["query"] + "\n" + body if "query" in parameters else body
        if REFUSE[0] and REFUSE[0] in statement:
            return self.reply(500, b"Code: 497. DB::Exception: refused for the check. (ACCESS_DENIED)\n")
        try:
            with LOCK:
                if "database" in parameters:
                    ENGINE.query(f"USE `{parameters['database']}`")
                answer = ENGINE.query(statement, parameters.get("default_format", "TabSeparated")).bytes()
            self.reply(200, answer)
        except Exception as error:  # chdb raises the engine's error as a plain exception
            self.reply(500, (str(error).strip() + "\n").encode())

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/tab-separated-values; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
