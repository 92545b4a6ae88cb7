import CrmqCore

/// Results as an Excel workbook (`.output report.xlsx`, `--output report.xlsx`): one sheet per
/// statement, named after it; typed cells (numbers, money with two decimals, ratios as
/// percentages, dates and times as Excel dates); the header and the total row in bold, the header
/// frozen; the statement's text in a note on the first cell.
public struct WorkbookWriter {
  /// One sheet: the statement's text and its result.
  public struct Sheet {
    /// The statement's text: the sheet's name and the note on its first cell.
    public var statement: String
    /// What it answered.
    public var result: ResultTable
    /// A sheet: `Sheet(statement: "count by stage", result: table)`.
    public init(statement: String, result: ResultTable) {
      self.statement = statement
      self.result = result
    }
  }

  /// A writer: `WorkbookWriter().workbook(sheets)`.
  public init() {}

  /// The workbook's bytes (a zip of SpreadsheetML parts).
  public func workbook(_ sheets: [Sheet]) -> [UInt8] {
    var zip = ZipWriter()
    let names = WorkbookWriter.sheetNames(sheets.map(\.statement))
    let sheetList = names.enumerated().map { index, name in
      "<sheet name=\"\(Markup.escape(name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
    }.joined()
    var types =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      + "<Default Extension=\"vml\" ContentType=\"application/vnd.openxmlformats-officedocument.vmlDrawing\"/>"
      + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
      + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
    for index in sheets.indices {
      types +=
        "<Override PartName=\"/xl/worksheets/sheet\(index + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        + "<Override PartName=\"/xl/comments\(index + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml\"/>"
    }
    zip.add("[Content_Types].xml", Array((types + "</Types>").utf8))
    zip.add(
      "_rels/.rels",
      Array(
        (WorkbookWriter.relationshipsHead
          + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")
          .utf8))
    zip.add(
      "xl/workbook.xml",
      Array(
        ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
          + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>\(sheetList)</sheets></workbook>")
          .utf8))
    var workbookRels = WorkbookWriter.relationshipsHead
    for index in sheets.indices {
      workbookRels +=
        "<Relationship Id=\"rId\(index + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(index + 1).xml\"/>"
    }
    workbookRels +=
      "<Relationship Id=\"rId\(sheets.count + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>"
    zip.add("xl/_rels/workbook.xml.rels", Array(workbookRels.utf8))
    zip.add("xl/styles.xml", Array(WorkbookWriter.styles.utf8))
    for (index, sheet) in sheets.enumerated() {
      let number = index + 1
      zip.add("xl/worksheets/sheet\(number).xml", Array(worksheet(sheet.result).utf8))
      zip.add(
        "xl/worksheets/_rels/sheet\(number).xml.rels",
        Array(
          (WorkbookWriter.relationshipsHead
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments\" Target=\"../comments\(number).xml\"/>"
            + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing\" Target=\"../drawings/vmlDrawing\(number).vml\"/>"
            + "</Relationships>").utf8))
      zip.add("xl/comments\(number).xml", Array(comments(sheet.statement).utf8))
      zip.add("xl/drawings/vmlDrawing\(number).vml", Array(WorkbookWriter.noteShape.utf8))
    }
    return zip.finished()
  }

  static let relationshipsHead =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"

  /// Cell styles by index: 0 plain, 1 bold (header), 2 money, 3 percent (one decimal), 4 date,
  /// 5 date and time, 6 whole number grouped; 7–11 the same in bold (the total row).
  static let styles =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    + "<numFmts count=\"4\"><numFmt numFmtId=\"164\" formatCode=\"#,##0.00\"/><numFmt numFmtId=\"165\" formatCode=\"0.0%\"/>"
    + "<numFmt numFmtId=\"166\" formatCode=\"yyyy-mm-dd\"/><numFmt numFmtId=\"167\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/></numFmts>"
    + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
    + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
    + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
    + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs><cellXfs count=\"12\">"
    + [0, 0, 164, 165, 166, 167, 3].enumerated().map { index, format in
      "<xf numFmtId=\"\(format)\" fontId=\"\(index == 1 ? 1 : 0)\" fillId=\"0\" borderId=\"0\" xfId=\"0\"\(format == 0 ? "" : " applyNumberFormat=\"1\"")/>"
    }.joined()
    + [164, 165, 166, 167, 3].map {
      "<xf numFmtId=\"\($0)\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
    }.joined()
    + "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>"

  /// The shape Excel draws a note in (a comment needs one to be shown).
  static let noteShape =
    "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\">"
    + "<v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\"><v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>"
    + "<v:shape id=\"_x0000_s1025\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:300pt;height:60pt;z-index:1;visibility:hidden\" fillcolor=\"#ffffe1\">"
    + "<x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill><x:Row>0</x:Row><x:Column>0</x:Column></x:ClientData></v:shape></xml>"

  func comments(_ statement: String) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<comments xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      + "<authors><author>crmq</author></authors><commentList><comment ref=\"A1\" authorId=\"0\"><text><t xml:space=\"preserve\">"
      + Markup.escape(statement) + "</t></text></comment></commentList></comments>"
  }

  /// A sheet: the header row, the rows, the total row ("Итого" in its first column), typed.
  func worksheet(_ result: ResultTable) -> String {
    var rows: [String] = []
    let header = result.columns.enumerated().map { column, info in
      "<c r=\"\(cellName(column, 0))\" s=\"1\" t=\"inlineStr\"><is><t>\(Markup.escape(info.name))</t></is></c>"
    }.joined()
    rows.append("<row r=\"1\">\(header)</row>")
    var lines = result.rows.map { ($0, false) }
    if var total = result.total {
      if !total.isEmpty, total[0].isNull, result.columns.first?.role == .dimension { total[0] = .string("Итого") }
      lines.append((total, true))
    }
    for (index, (values, bold)) in lines.enumerated() {
      let cells = values.enumerated().compactMap { column, value in
        cell(value, type: result.columns[column].type, at: cellName(column, index + 1), bold: bold)
      }.joined()
      rows.append("<row r=\"\(index + 2)\">\(cells)</row>")
    }
    let widths = result.columns.enumerated().map { column, info -> String in
      let longest =
        ([info.name] + result.rows.prefix(200).map { ValueFormatter.display($0[column]) })
        .map(\.count).max() ?? 8
      return
        "<col min=\"\(column + 1)\" max=\"\(column + 1)\" width=\"\(min(60, max(8, longest + 2)))\" customWidth=\"1\"/>"
    }.joined()
    return
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      + "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
      + (widths.isEmpty ? "" : "<cols>\(widths)</cols>") + "<sheetData>" + rows.joined() + "</sheetData>"
      + "<legacyDrawing r:id=\"rId2\"/></worksheet>"
  }

  /// One typed cell, or nil for a null (an empty cell).
  func cell(_ value: Value, type: DataType, at name: String, bold: Bool) -> String? {
    let plain = bold ? 1 : 0
    func number(_ text: String, _ style: Int) -> String {
      "<c r=\"\(name)\" s=\"\(bold ? [2: 7, 3: 8, 4: 9, 5: 10, 6: 11][style] ?? 1 : style)\"><v>\(text)</v></c>"
    }
    switch value {
    case .null: return nil
    case .int(let v): return number(String(v), 6)
    case .money(let kopecks): return number(NumberFormat.money(kopecks), 2)
    case .double(let v):
      guard v.isFinite else { return nil }
      return number(NumberFormat.shortest(v), type == .ratio ? 3 : plain)
    case .bool(let b): return "<c r=\"\(name)\" s=\"\(plain)\" t=\"b\"><v>\(b ? 1 : 0)</v></c>"
    case .date(let day): return number(String(day + 25_569), 4)
    case .timestamp(let seconds):
      let (day, second) = CivilDate.splitTimestamp(seconds)
      return number(NumberFormat.shortest(Double(day + 25_569) + Double(second) / 86_400), 5)
    case .string, .bucket:
      return
        "<c r=\"\(name)\" s=\"\(plain)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Markup.escape(value.plainText))</t></is></c>"
    }
  }

  /// `A1`-style names: column 0 row 0 is A1.
  func cellName(_ column: Int, _ row: Int) -> String {
    var letters = ""
    var n = column + 1
    while n > 0 {
      let digit = (n - 1) % 26
      letters = String(UnicodeScalar(UInt8(65 + digit))) + letters
      n = (n - 1) / 26
    }
    return letters + String(row + 1)
  }

  /// Sheet names from statements: Excel's rules (at most 31 characters, none of `[]:*?/\`),
  /// each name once (`(2)` added).
  static func sheetNames(_ statements: [String]) -> [String] {
    var used = Set<String>()
    return statements.enumerated().map { index, statement in
      var name = String(
        statement.split(whereSeparator: \.isNewline).joined(separator: " ").map { "[]:*?/\\".contains($0) ? " " : $0 }
      )
      .trimmingWhitespace()
      if name.isEmpty { name = "Результат \(index + 1)" }
      name = String(name.prefix(31))
      var candidate = name
      var copy = 2
      while used.contains(candidate.lowercased()) {
        let suffix = " (\(copy))"
        candidate = String(name.prefix(31 - suffix.count)) + suffix
        copy += 1
      }
      used.insert(candidate.lowercased())
      return candidate
    }
  }
}
