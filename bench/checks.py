"""What the output and client checks share: a run of crmq writing a file, and named checks."""
import subprocess
import sys


def write_with_crmq(binary, path, statements, today="2026-10-05"):
    """`crmq --output PATH -c S1 -c S2 …` on the bundled data."""
    args = [binary, "--today", today, "--output", path]
    for statement in statements:
        args += ["-c", statement]
    return subprocess.run(args, capture_output=True, text=True)


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
