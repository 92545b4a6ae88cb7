"""What the cross-checks share: the benchmark's questions, the golden files' queries, and when two
cells are the same."""
import os


def read_queries(path="bench/queries.txt"):
    """Each question of bench/queries.txt: its crmq text and the same question in DuckDB's SQL."""
    queries, current = [], None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        if line.startswith("crmq: "):
            current = {"crmq": line[6:], "sql": ""}
            queries.append(current)
        elif line.startswith("sql: "):
            current["sql"] = line[5:]
        elif line.strip() and current is not None:
            current["sql"] += " " + line.strip()
    return queries


def same(a, b):
    """Cells match when equal as text, or as numbers to 1e-9 (ratios print as shortest doubles)."""
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def rows_match(mine, theirs):
    """Whether two lists of rows hold the same cells (see `same`), row for row."""
    return len(mine) == len(theirs) and all(
        len(a) == len(b) and all(same(x, y) for x, y in zip(a, b)) for a, b in zip(mine, theirs)
    )


def print_difference(mine, theirs, other):
    """The first row that differs, and the row counts when they differ."""
    for a, b in zip(mine, theirs):
        if not rows_match([a], [b]):
            print(f"  crmq: {a}\n  {other}: {b}")
            break
    if len(mine) != len(theirs):
        print(f"  rows: crmq {len(mine)}, {other} {len(theirs)}")


def golden_queries(root="Tests/CrmqGoldenTests/golden"):
    """The query records of the golden files that run on the bundled data as a fresh session
    would: each with its file's `today` (2026-10-05 unless set), up to the file's first `load`
    or `statement ok` (after which the data or the session differ)."""
    found = []
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if not name.endswith(".test"):
                continue
            today = "2026-10-05"
            lines = open(os.path.join(folder, name), encoding="utf-8").read().split("\n")
            index = 0
            while index < len(lines):
                words = lines[index].split(" ")
                index += 1
                if words[0] == "today" and len(words) == 2:
                    today = words[1]
                elif words[0] == "load" or (words[0] == "statement" and words[1:2] == ["ok"]):
                    break
                elif words[0] == "query":
                    body = []
                    while index < len(lines) and lines[index] not in ("----", ""):
                        body.append(lines[index])
                        index += 1
                    found.append(("\n".join(body), today))
    return found
