"""Writes a CSV export as an XLSX workbook the way spreadsheet programs do, with the standard
library only: shared strings, numbers as numbers, dd.mm.yyyy HH:MM:SS cells as dated serials with
a date style, deflated parts. Used for the test fixture and for the load benchmark.

usage: python3 bench/make_xlsx.py EXPORT.csv OUT.xlsx [--sheet NAME]
"""
import csv, datetime, re, sys, zipfile
from xml.sax.saxutils import escape

def column(i):
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name

def main():
    source, target = sys.argv[1], sys.argv[2]
    sheet_name = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--sheet" else "Сделки"
    strings, index = [], {}
    def shared(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]
    epoch = datetime.datetime(1899, 12, 30)
    date = re.compile(r"^(\d\d)\.(\d\d)\.(\d{4}) (\d\d):(\d\d):(\d\d)$")
    number = re.compile(r"^-?\d+(\.\d+)?$")
    rows = []
    with open(source, encoding="utf-8-sig", newline="") as f:
        for r, row in enumerate(csv.reader(f)):
            cells = []
            for c, value in enumerate(row):
                ref = f"{column(c)}{r + 1}"
                m = date.match(value)
                if value == "":
                    continue
                if r > 0 and m:
                    d, mo, y, h, mi, s = map(int, m.groups())
                    serial = (datetime.datetime(y, mo, d, h, mi, s) - epoch).total_seconds() / 86400
                    cells.append(f'<c r="{ref}" s="1"><v>{serial!r}</v></c>')
                elif r > 0 and number.match(value) and c != 0:
                    cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                elif r > 0 and c == 0:
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
                else:
                    cells.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
            rows.append(f'<row r="{r + 1}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook {ns} {rel}><workbookPr/><sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId7"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/deals.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet {ns}><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm:ss"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings) + "</sst>",
        "xl/worksheets/deals.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet {ns}><sheetData>' + "".join(rows) + "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))

main()
