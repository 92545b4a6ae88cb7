"""The shell as a person uses it: the real crmq binary on a pseudo-terminal (util-linux `script`),
keys typed as they would be (Tab included), the screen read back.

Usage: python3 bench/shell_check.py .build/debug/crmq
Checks a long result shortened with a gap, a funnel cut between funnels, a clause line that
refines the statement above, Tab completing a measure after a comma and listing grains in
columns, units in a table, and did-you-mean in .help and for a misspelt keyword.
"""
import re
import subprocess
import sys

from checks import Checks

ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[=>]|\r")


def session(binary, keys):
    """The screen of one shell session fed `keys`, with terminal escapes taken out."""
    done = subprocess.run(
        ["script", "-qc", f"{binary} --no-cache --today 2026-10-05", "/dev/null"],
        input=keys, capture_output=True, text=True, timeout=120, env={"TERM": "dumb", "COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    return ANSI.sub("", done.stdout)


def main():
    binary = sys.argv[1]
    check = Checks("shell")

    screen = session(binary, "count by day\n.quit\n")
    check("a long result says its true row count", "(632 rows)" in screen, screen[-600:])
    check("a row of ⋮ stands where rows are left out", re.search(r"│ ⋮ +│ +⋮ │ ⋮ +│", screen) is not None, screen[-1500:])
    check("and the note says how many", "607 rows in the middle not shown, at ⋮" in screen, screen[-600:])

    screen = session(binary, "funnel by manager\n.quit\n")
    rows = [line for line in screen.split("\n") if line.startswith("│ ")]
    gap = next((i for i, row in enumerate(rows) if "⋮" in row), None)
    if gap is not None:
        before, after = rows[gap - 1].split("│")[2].strip(), rows[gap + 1].split("│")[2].strip()
        first_stage = rows[gap + 1].split("│")[3].strip()
        check("a funnel is cut between funnels: the rows after the gap start a manager's funnel",
              before != after and first_stage == "Новая заявка", (before, after, first_stage))
    else:
        check("a funnel is cut between funnels", False, screen[-1500:])

    screen = session(binary, "revenue, won period 2026-09\nby manager\ntop 2\n.quit\n")
    check("a clause line refines the statement above",
          "→ revenue, won period 2026-09 by manager top 2" in screen and screen.count("(2 rows)") == 1, screen[-1200:])

    screen = session(binary, "won, rev\t period 2026-09\n.quit\n")
    check("Tab completes a measure after a comma", "│ revenue" in screen or "revenue │" in screen, screen[-800:])

    screen = session(binary, "count period last \tmonth\n.quit\n")
    check("Tab lists the grains after period last, in columns",
          re.search(r"day +week +month +quarter +year", screen) is not None, screen[-800:])

    screen = session(binary, "avg_talk, talk_time by manager top 2\ncycle by source top 1\ncount by week period last 1 week\n.quit\n")
    check("talk time as m:ss and h:mm:ss", "avg_talk, m:ss" in screen and "talk_time, h:mm:ss" in screen, screen[-1200:])
    check("cycle in days", "cycle, days" in screen, screen[-800:])
    check("an ISO week with its days", "2026-W40 28.09–04.10" in screen, screen[-800:])

    screen = session(binary, ".help perod\ncount perod 2026-09\n.quit\n")
    check(".help says what was meant", "did you mean 'period'?" in screen, screen[-800:])
    check("a misspelt clause keyword too", screen.count("did you mean 'period'?") == 2, screen[-1200:])

    check.finish()


if __name__ == "__main__":
    main()
