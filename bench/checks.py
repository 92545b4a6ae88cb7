"""What the output and client checks share: a run of crmq writing a file, Ctrl-C's path through
the protocol, and named checks."""
import json
import subprocess
import sys
import time


def write_with_crmq(binary, path, statements, today="2026-10-05"):
    """`crmq --output PATH -c S1 -c S2 …` on the bundled data."""
    args = [binary, "--today", today, "--output", path]
    for statement in statements:
        args += ["-c", statement]
    return subprocess.run(args, capture_output=True, text=True)


def cancel_through_protocol(binary, url, text, waiting, left, seconds):
    """Ctrl-C's path on a server: `text` sent to `crmq serve --stdio --connect URL`, then after two
    seconds a `cancel` of it. Returns what `waiting()` counts on the server before the cancel, the
    error codes the statement answered (within `seconds`), what `left()` counts once crmq is done,
    and every answer."""
    served = subprocess.Popen(
        [binary, "serve", "--stdio", "--connect", url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    answers = {}
    try:
        served.stdin.write(json.dumps({"id": 1, "method": "query", "params": {"text": text}}) + "\n")
        served.stdin.flush()
        time.sleep(2)
        before = waiting()
        served.stdin.write(json.dumps({"id": 2, "method": "cancel", "params": {"request": 1}}) + "\n")
        served.stdin.flush()
        deadline = time.monotonic() + seconds
        while len(answers) < 2 and time.monotonic() < deadline:
            line = served.stdout.readline()
            if line:
                answer = json.loads(line)
                answers[answer.get("id")] = answer
        served.stdin.close()
        served.wait(timeout=10)
        time.sleep(1)
        after = left()
    finally:
        served.kill()
    results = answers.get(1, {}).get("result", {}).get("results", [{}])
    codes = [d["code"] for d in results[0].get("error", {}).get("diagnostics", [])]
    return before, codes, after, answers


class Checks:
    """Named checks, each printed ok or FAIL (with what was seen), and a summary and exit status."""

    def __init__(self, name):
        self.name, self.checked, self.failures = name, [], []

    def __call__(self, name, condition, detail=""):
        self.checked.append(name)
        print(("ok   " if condition else "FAIL ") + name)
        if not condition:
            self.failures.append(name)
            print(f"  {detail}")

    def finish(self, extra=""):
        print(f"{self.name}: {len(self.checked) - len(self.failures)} passed, {len(self.failures)} failed{extra}")
        sys.exit(1 if self.failures else 0)
