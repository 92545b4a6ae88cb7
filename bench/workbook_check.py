"""`crmq --output FILE.xlsx` read back by a real reader (openpyxl): a sheet per statement named
after it, the statement in a note, typed cells (integers, money with two decimals, ratios as
percentages, dates and times as dates), the header and the total row in bold, the header frozen.

Usage: python3 bench/workbook_check.py [path/to/crmq]
"""
import datetime
import subprocess
import sys
import tempfile

import openpyxl

from checks import Checks, write_with_crmq


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/crmq"
    path = tempfile.mktemp(suffix=".xlsx")
    statements = [
        "deals, won, revenue, win_rate by manager period 2026-09 with total",
        "show deals where amount > 1m order by amount desc limit 2",
        "count by month period 2026-Q3 compare previous",
        "funnel period 2026-09",
    ]
    run = write_with_crmq(binary, path, statements)
    check = Checks("workbook")

    check("crmq wrote the workbook", run.returncode == 0 and "wrote" in run.stderr, run.stderr)
    book = openpyxl.load_workbook(path)
    sheets = book.worksheets
    check("a sheet per statement, named after it", [ws.title for ws in sheets] == [s[:31] for s in statements],
          [ws.title for ws in sheets])
    check("the statement in a note on A1", all(ws["A1"].comment and ws["A1"].comment.text == s
                                                 for ws, s in zip(sheets, statements)))
    check("the header frozen and bold", all(ws.freeze_panes == "A2" and ws["A1"].font.b for ws in sheets))
    managers = sheets[0]
    header = [c.value for c in managers[1]]
    first = [c for c in managers[2]]
    total = [c for c in managers[managers.max_row]]
    check("the header row", header == ["manager", "deals", "won", "revenue", "win_rate"], header)
    check("numbers, money and ratios typed, with their formats",
          isinstance(first[1].value, int) and first[3].number_format == "#,##0.00" and first[4].number_format == "0.0%"
          and isinstance(first[4].value, float), [(c.value, c.number_format) for c in first])
    out = subprocess.run([binary, "--today", "2026-10-05", "--format", "csv", "-c", statements[0]],
                         capture_output=True, text=True).stdout.splitlines()
    revenue = out[-1].split(",")[3]
    check("the total row last, in bold, labelled", total[0].value == "Итого" and total[0].font.b and total[3].font.b
          and f"{total[3].value:.2f}" == revenue, [(c.value, c.font.b) for c in total])
    deals = sheets[1]
    columns = [c.value for c in deals[1]]
    created = deals.cell(row=2, column=columns.index("created_at") + 1)
    amount = deals.cell(row=2, column=columns.index("amount") + 1)
    check("a time is a date of Excel's, to the second",
          isinstance(created.value, datetime.datetime) and created.number_format == "yyyy-mm-dd hh:mm:ss",
          (created.value, created.number_format))
    check("money to the kopeck", amount.number_format == "#,##0.00" and round(amount.value * 100) == round(amount.value * 100, 6),
          amount.value)
    compared = [c.value for c in sheets[2][1]]
    check("a compare keeps every column", compared == ["month", "count", "count_prev", "count_delta", "count_delta_pct"],
          compared)
    # The shell, on a pseudo-terminal (util-linux `script`): `.output FILE.xlsx` adds a sheet per
    # result; `.output FILE.csv` writes CSV whatever the shell's format.
    book_path, csv_path = tempfile.mktemp(suffix=".xlsx"), tempfile.mktemp(suffix=".csv")
    lines = f".output {book_path}\ncount by status\nrevenue by manager period 2026-09 with total\n" \
        f".output {csv_path}\ncount by pipeline\n.output\n.quit\n"
    subprocess.run(["script", "-qc", f"{binary} --today 2026-10-05", "/dev/null"], input=lines, capture_output=True,
                   text=True, timeout=60)
    shell_book = openpyxl.load_workbook(book_path)
    check("the shell's .output FILE.xlsx: a sheet per result",
          [(ws.title, ws.max_row) for ws in shell_book.worksheets]
          == [("count by status", 4), ("revenue by manager period 2026-", 10)],
          [(ws.title, ws.max_row) for ws in shell_book.worksheets])
    written = open(csv_path, encoding="utf-8").read()
    check("the shell's .output FILE.csv writes CSV", written == "pipeline,count\nПовторные продажи,442\nПродажи,2558\n",
          written)
    check.finish()


if __name__ == "__main__":
    main()
