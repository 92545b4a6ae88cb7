"""A tiny client for `crmq serve --stdio`: one JSON request per line, one response per line.

    client = CrmqClient(["crmq", "serve", "--stdio", "--data", "examples/data"])
    rows = client.query("won, revenue by manager where amount > $min", parameters={"min": 50000})

Run it as a script to see it work against the bundled data (it is also a test).
"""
import json
import subprocess
import sys


class CrmqError(Exception):
    """A query crmq refused, with its diagnostics (code, message, line, column, help, rendered)."""

    def __init__(self, diagnostics):
        self.diagnostics = diagnostics
        super().__init__("".join(d["rendered"] for d in diagnostics))


class CrmqClient:
    def __init__(self, command):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        request = {"id": self.next_id, "method": method, "params": params}
        self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        response = json.loads(self.process.stdout.readline())
        assert response["id"] == self.next_id
        if "error" in response:
            raise CrmqError(response["error"]["diagnostics"])
        return response["result"]

    def query(self, text, parameters=None, today=None):
        """The rows of the query's (last) table as dictionaries."""
        params = {"text": text, "parameters": parameters or {}}
        if today:
            params["today"] = today
        results = self.call("query", **params)["results"]
        for result in results:
            if "error" in result:
                raise CrmqError(result["error"]["diagnostics"])
        table = results[-1]
        names = [column["name"] for column in table["columns"]]
        return [dict(zip(names, row)) for row in table["rows"]]

    def close(self):
        self.process.stdin.close()
        self.process.wait()


if __name__ == "__main__":
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/crmq"
    client = CrmqClient([binary, "serve", "--stdio", "--data", "examples/data", "--today", "2026-10-05"])
    rows = client.query("won, revenue by manager where amount > $min period 2026-09 top 3", parameters={"min": 50000})
    for row in rows:
        print(f"{row['manager']}: {row['won']} won, {row['revenue']:.2f}")
    try:
        client.query("count by stag")
    except CrmqError as error:
        print(error.diagnostics[0]["code"], error.diagnostics[0]["message"])
    print(client.call("complete", line="count where source = 'Я", cursor=23)["candidates"])
    client.close()
