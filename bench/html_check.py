"""`crmq --output FILE.html` opened in a real browser (Debian's chromium, headless): the page
parses, holds each statement's section with its table, and the charts a result calls for
(a funnel's bars, lines over months, paired bars for a compare, bars for one dimension), asks
nothing of the network, and renders to a screenshot.

Usage: python3 bench/html_check.py [path/to/crmq] [screenshot.png]
"""
import re
import shutil
import subprocess
import sys
import tempfile

from checks import Checks, write_with_crmq


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/crmq"
    shot = sys.argv[2] if len(sys.argv) > 2 else tempfile.mktemp(suffix=".png")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed (Debian: apt-get install chromium)")
    page = tempfile.mktemp(suffix=".html")
    statements = [
        "funnel period 2026-09",
        "revenue, won by month period 2026",
        "revenue by manager period 2026-09 compare previous with total",
        "count by source",
        "show deals where amount > 1m limit 3",
    ]
    run = write_with_crmq(binary, page, statements)
    check = Checks("html")

    check("crmq wrote the page", run.returncode == 0, run.stderr)
    html = open(page, encoding="utf-8").read()
    external = [u for u in re.findall(r'(?:src|href)="([^"]+)"', html)]
    check("self-contained: no script, no link, no network", not external and "<script" not in html, external)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run([browser, *flags, "--dump-dom", "file://" + page], capture_output=True, text=True, timeout=120)
    check("the browser read it", dom.returncode == 0 and "</html>" in dom.stdout, dom.stderr[-500:])
    sections = re.findall(r'<section id="s\d+"><h2>(.*?)</h2>', dom.stdout)
    check("a section per statement, headed by it", sections == [s.replace("&", "&amp;").replace(">", "&gt;") for s in statements],
          sections)
    charts = re.findall(r'<svg[^>]*class="(\w+)"', dom.stdout)
    check("charts where they help: funnel, lines, paired bars, bars; none for rows", charts == ["funnel", "lines", "bars", "bars"],
          charts)
    check("the compare's total row set apart", '<tr class="total"><td>Итого</td>' in dom.stdout)
    rendered = subprocess.run([browser, *flags, "--window-size=1000,2600", f"--screenshot={shot}", "file://" + page],
                              capture_output=True, text=True, timeout=120)
    size = 0
    try:
        with open(shot, "rb") as image:
            data = image.read()
            size = len(data)
            png = data[:8] == b"\x89PNG\r\n\x1a\n"
    except OSError:
        png = False
    check("it renders to a screenshot", rendered.returncode == 0 and png and size > 50_000, f"{size} bytes")
    check.finish(f" (screenshot: {shot})")


if __name__ == "__main__":
    main()
