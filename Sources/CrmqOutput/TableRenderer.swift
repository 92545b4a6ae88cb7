import CrmqCore

/// Draws a result as a box table aligned in terminal cells, with the total row and the footer.
///
///     ┌──────────┬───────┐
///     │ source   │ count │
///     ├──────────┼───────┤
///     │ Сайт     │ 1 204 │
///     ├──────────┼───────┤
///     │ Итого    │ 1 204 │
///     └──────────┴───────┘
///     (1 row)
public struct TableRenderer {
  /// Draw proportional bars after the measure of a funnel or a single-measure breakdown.
  public var bars: Bool
  /// Bold headers and total, dim nulls and footers (ANSI): on a terminal without NO_COLOR only.
  public var colored: Bool

  /// A box-table renderer: `TableRenderer(bars: true).render(table)` draws bars for a funnel or a single measure.
  public init(bars: Bool = false, colored: Bool = false) {
    self.bars = bars
    self.colored = colored
  }

  func paint(_ text: String, _ code: String) -> String {
    colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  /// The measure to draw bars for, if any.
  func barColumn(_ result: ResultTable) -> Int? {
    if let column = result.barColumn { return column }
    let measures = result.columns.indices.filter { result.columns[$0].role == .measure }
    let hasDimension = result.columns.contains { $0.role == .dimension }
    guard measures.count == 1, hasDimension, let only = measures.first, result.columns[only].type.isNumeric else {
      return nil
    }
    return only
  }

  /// Bars of up to `width` cells in eighths of a block, proportional to the largest value.
  public static func bars(_ values: [Value], width: Int = 24) -> [String] {
    let numbers = values.map { $0.doubleValue ?? 0 }
    let largest = numbers.max() ?? 0
    guard largest > 0 else { return values.map { _ in "" } }
    let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
    return numbers.map { value in
      guard value > 0 else { return "" }
      let eighths = Int((value / largest * Double(width * 8)).rounded())
      return String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
    }
  }

  /// The box table, the row count and the notes.
  public func render(_ result: ResultTable) -> String {
    renderPlain(withBars(CompareLayout.compact(result) ?? result))
  }

  /// The result with its bars as a last column, scaled to the largest value of all its rows.
  func withBars(_ result: ResultTable) -> ResultTable {
    guard bars, let barIndex = barColumn(result) else { return result }
    var withBars = result
    let drawn = TableRenderer.bars(result.rows.map { $0[barIndex] })
    withBars.columns.append(ResultColumn(name: "", type: .string, role: .field))
    withBars.rows = zip(result.rows, drawn).map { $0 + [.string($1)] }
    withBars.total = result.total.map { $0 + [.string("")] }
    return withBars
  }

  /// A long result shortened to about its first `head` and last `tail` rows, a row of `⋮` where
  /// the others are left out, and the footer counting every row; nil when the result is short
  /// enough to show whole.
  ///
  /// A funnel is cut only between its funnels (one per pipeline and dimensions), never inside
  /// one; bars are scaled to the whole result, so a bar means the same shortened or not.
  public func render(_ result: ResultTable, head: Int, tail: Int) -> (text: String, hidden: Int)? {
    guard let (kept, resumed) = TableRenderer.cut(result, head: head, tail: tail) else { return nil }
    var shown = withBars(CompareLayout.compact(result) ?? result)
    shown.rows = Array(shown.rows[..<kept]) + Array(shown.rows[resumed...])
    let hidden = resumed - kept
    return (renderPlain(shown, gapAfter: kept, rowCount: result.rows.count), hidden)
  }

  /// Where to stop and where to resume: rows `0..<kept` and `resumed...` are shown; nil when that
  /// would leave out no more than one row.
  public static func cut(_ result: ResultTable, head: Int, tail: Int) -> (kept: Int, resumed: Int)? {
    let count = result.rows.count
    guard count > head + tail + 1 else { return nil }
    var kept = head
    var resumed = count - tail
    // A funnel's rows: one funnel per value of the columns before `stage`.
    let names = result.columns.map(\.name)
    if let stage = names.firstIndex(of: "stage"), names.contains("step_conversion") {
      func funnel(_ row: Int) -> ArraySlice<Value> { result.rows[row][..<stage] }
      while kept < count && funnel(kept) == funnel(kept - 1) { kept += 1 }
      while resumed > kept && funnel(resumed) == funnel(resumed - 1) { resumed -= 1 }
    }
    return resumed - kept > 1 ? (kept, resumed) : nil
  }

  func renderPlain(_ result: ResultTable, gapAfter: Int? = nil, rowCount: Int? = nil) -> String {
    let columns = result.columns
    guard !columns.isEmpty else { return "(no columns)\n" }
    var body = result.rows.map { row in
      row.enumerated().map { ValueFormatter.display($1, column: columns[$0]) }
    }
    var totalLine: [String]?
    if let total = result.total {
      var cells = total.enumerated().map { ValueFormatter.display($1, column: columns[$0]) }
      if let first = columns.firstIndex(where: { $0.role == .dimension }) {
        for index in cells.indices where columns[index].role == .dimension {
          cells[index] = index == first ? ValueFormatter.totalLabel : ""
        }
      }
      totalLine = cells
    }
    // A column of seconds says h:mm:ss once a value reaches an hour.
    let allRows = result.rows + (result.total.map { [$0] } ?? [])
    let headers = columns.indices.map { index in
      ValueFormatter.header(
        columns[index],
        hours: columns[index].unit == .seconds
          && allRows.contains { ($0[index].doubleValue ?? 0).magnitude.rounded() >= 3600 })
    }
    var widths = headers.map { DisplayWidth.of($0) }
    for row in body + (totalLine.map { [$0] } ?? []) {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
    }
    func line(_ left: String, _ middle: String, _ right: String) -> String {
      left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right + "\n"
    }
    func cells(_ values: [String], header: Bool, bold: Bool = false) -> String {
      var out = "│"
      for (index, value) in values.enumerated() {
        let pad = String(repeating: " ", count: widths[index] - DisplayWidth.of(value))
        let right =
          !header && (ValueFormatter.isRightAligned(columns[index].type) || columns[index].name.hasPrefix("Δ "))
        let shown = header || bold ? paint(value, "1") : value == ValueFormatter.nullText ? paint(value, "2") : value
        out += " " + (right ? pad + shown : shown + pad) + " │"
      }
      return out + "\n"
    }
    var out = line("┌", "┬", "┐")
    out += cells(headers, header: true)
    out += line("├", "┼", "┤")
    if body.isEmpty { body = [] }
    for (index, row) in body.enumerated() {
      if index == gapAfter { out += cells(columns.map { _ in "⋮" }, header: false) }
      out += cells(row, header: false)
    }
    if let totalLine {
      out += line("├", "┼", "┤")
      out += cells(totalLine, header: false, bold: true)
    }
    out += line("└", "┴", "┘")
    let count = rowCount ?? result.rows.count
    out +=
      paint("(\(count == 1 ? "1 row" : NumberFormat.integer(Int64(count), grouped: true) + " rows"))", "2") + "\n"
    for note in result.notes { out += paint(note, "2") + "\n" }
    return out
  }
}
