"""What the cross-checks share: the benchmark's questions, and when two cells are the same."""


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
