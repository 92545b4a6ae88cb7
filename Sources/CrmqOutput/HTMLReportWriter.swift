import CrmqCore

/// Results as one self-contained HTML page (`--output report.html`, `.output report.html`).
///
/// Each statement's text, its table (the total row set apart), its notes, and a chart where
/// people would rather look than read, drawn as inline SVG (no script, no network):
/// - a funnel: horizontal bars per stage, with its conversions;
/// - a time bucket by one or more measures: lines;
/// - a compare: paired bars, the current period beside the earlier one;
/// - one dimension by one measure: horizontal bars.
public struct HTMLReportWriter {
  /// A writer: `HTMLReportWriter().page(sheets)`.
  public init() {}

  /// The page for the results of a run, in order.
  public func page(_ results: [WorkbookWriter.Sheet]) -> String {
    var body = ""
    for (index, item) in results.enumerated() {
      body += "<section id=\"s\(index + 1)\"><h2>\(escape(item.statement))</h2>\n"
      if let chart = chart(item.result) { body += "<figure>\(chart)</figure>\n" }
      body += table(item.result)
      for note in item.result.notes { body += "<p class=\"note\">\(escape(note))</p>\n" }
      body += "</section>\n"
    }
    return """
      <!DOCTYPE html>
      <html lang="ru"><head><meta charset="utf-8"><title>crmq</title>
      <style>
      body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d1d1f}
      h2{font-size:16px;font-family:ui-monospace,Menlo,Consolas,monospace;margin:32px 0 8px}
      table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #e3e3e3}
      th{text-align:left;background:#f5f5f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
      tr.total td{font-weight:600;border-top:2px solid #999}.note{color:#666;margin:2px 0}
      figure{margin:8px 0}svg text{font:12px system-ui,sans-serif;fill:#333}
      </style></head><body>
      <h1>crmq</h1>
      \(body)</body></html>

      """
  }

  func table(_ result: ResultTable) -> String {
    var html = "<table><thead><tr>"
    for column in result.columns { html += "<th>\(escape(column.name))</th>" }
    html += "</tr></thead><tbody>\n"
    func row(_ values: [Value], total: Bool) -> String {
      var cells = ""
      for (index, value) in values.enumerated() {
        let numeric = ValueFormatter.isRightAligned(result.columns[index].type)
        var text = ValueFormatter.display(value, type: result.columns[index].type)
        if total && index == 0 && value.isNull { text = "Итого" }
        cells += "<td\(numeric ? " class=\"n\"" : "")>\(escape(text))</td>"
      }
      return "<tr\(total ? " class=\"total\"" : "")>\(cells)</tr>\n"
    }
    for values in result.rows { html += row(values, total: false) }
    if let total = result.total { html += row(total, total: true) }
    return html + "</tbody></table>\n"
  }

  // MARK: - Charts

  func chart(_ result: ResultTable) -> String? {
    let names = result.columns.map(\.name)
    let dimensions = result.columns.indices.filter { result.columns[$0].role == .dimension }
    let measures = result.columns.indices.filter {
      result.columns[$0].role != .dimension && result.columns[$0].type.isNumeric
    }
    guard !result.rows.isEmpty, !measures.isEmpty else { return nil }
    if let deals = names.firstIndex(of: "deals"), let stage = names.firstIndex(of: "stage"),
      names.contains("total_conversion")
    {
      return funnel(result, stage: stage, deals: deals)
    }
    if let compared = measures.first(where: { names.contains(names[$0] + "_prev") }),
      let previous = names.firstIndex(of: names[compared] + "_prev")
    {
      return bars(result, label: dimensions, values: [compared, previous], legend: ["now", "before"])
    }
    if dimensions.count == 1, case .bucket(let grain) = result.columns[dimensions[0]].type, grain != .weekday,
      grain != .hour, result.rows.count > 1
    {
      return lines(result, x: dimensions[0], series: Array(measures.prefix(4)))
    }
    if dimensions.count == 1 && measures.count >= 1 {
      return bars(result, label: dimensions, values: [measures[0]], legend: [names[measures[0]]])
    }
    return nil
  }

  static let colors = ["#3b73d9", "#e58a2e", "#2e9e6b", "#b0417f"]

  static func number(_ value: Value) -> Double? {
    switch value {
    case .int(let v): return Double(v)
    case .money(let v): return Double(v) / 100
    case .double(let v): return v.isFinite ? v : nil
    default: return nil
    }
  }

  /// Horizontal bars: one group a row (its dimension values), one bar per value column.
  func bars(_ result: ResultTable, label: [Int], values: [Int], legend: [String]) -> String {
    let rows = Array(result.rows.prefix(40))
    let barHeight = 14
    let groupHeight = barHeight * values.count + 8
    let labelWidth = 220
    let width = 760
    let largest = rows.flatMap { row in values.compactMap { HTMLReportWriter.number(row[$0]) } }.map(abs).max() ?? 0
    let scale = largest > 0 ? Double(width - labelWidth - 90) / largest : 0
    var svg = ""
    for (index, row) in rows.enumerated() {
      let top = 24 + index * groupHeight
      let name = label.map { ValueFormatter.display(row[$0], type: result.columns[$0].type) }.joined(separator: " · ")
      svg += "<text x=\"0\" y=\"\(top + barHeight - 3)\">\(escape(String(name.prefix(34))))</text>"
      for (slot, column) in values.enumerated() {
        guard let value = HTMLReportWriter.number(row[column]) else { continue }
        let length = max(1, Int((abs(value) * scale).rounded()))
        let y = top + slot * barHeight
        svg +=
          "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(length)\" height=\"\(barHeight - 2)\" fill=\"\(HTMLReportWriter.colors[slot % 4])\"/>"
          + "<text x=\"\(labelWidth + length + 4)\" y=\"\(y + barHeight - 3)\">\(escape(ValueFormatter.display(row[column], type: result.columns[column].type)))</text>"
      }
    }
    let height = 24 + rows.count * groupHeight
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" width=\"\(width)\" height=\"\(height)\">"
      + legendSVG(legend) + svg + "</svg>"
  }

  /// A funnel: a bar per stage, as wide as its deals against the first stage, with the step and
  /// total conversions; one block per pipeline (and dimensions).
  func funnel(_ result: ResultTable, stage: Int, deals: Int) -> String {
    let names = result.columns.map(\.name)
    let step = names.firstIndex(of: "step_conversion")
    let total = names.firstIndex(of: "total_conversion")
    let keys = (0..<stage).map { $0 }
    let rows = Array(result.rows.prefix(60))
    let width = 760
    let labelWidth = 220
    var svg = ""
    var y = 8
    var lastKey: [Value]?
    var first = 1.0
    for row in rows {
      let key = keys.map { row[$0] }
      if key != lastKey {
        let title = keys.map { ValueFormatter.display(row[$0], type: result.columns[$0].type) }.joined(separator: " · ")
        y += 16
        svg += "<text x=\"0\" y=\"\(y)\" font-weight=\"600\">\(escape(title))</text>"
        y += 6
        lastKey = key
        first = max(1, HTMLReportWriter.number(row[deals]) ?? 1)
      }
      let count = HTMLReportWriter.number(row[deals]) ?? 0
      let length = max(1, Int((count / first * Double(width - labelWidth - 270)).rounded()))
      var label = ValueFormatter.display(row[deals], type: .int)
      if let step, let value = HTMLReportWriter.number(row[step]) {
        label += " · \(ValueFormatter.display(.double(value), type: .ratio)) от прошлой"
      }
      if let total, let value = HTMLReportWriter.number(row[total]) {
        label += " · \(ValueFormatter.display(.double(value), type: .ratio)) от первой"
      }
      svg +=
        "<text x=\"0\" y=\"\(y + 12)\">\(escape(ValueFormatter.display(row[stage], type: .string)))</text>"
        + "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(length)\" height=\"16\" fill=\"\(HTMLReportWriter.colors[0])\"/>"
        + "<text x=\"\(labelWidth + length + 4)\" y=\"\(y + 12)\">\(escape(label))</text>"
      y += 20
    }
    return
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"funnel\" width=\"\(width)\" height=\"\(y + 8)\">\(svg)</svg>"
  }

  /// Lines over time buckets: one per measure, each scaled to its own largest value (the legend
  /// says the largest), buckets in the result's order.
  func lines(_ result: ResultTable, x: Int, series: [Int]) -> String {
    let rows = result.rows
    let width = 760
    let height = 240
    let left = 40
    let plotWidth = width - left - 50
    let plotHeight = height - 60
    var svg = ""
    for (slot, column) in series.enumerated() {
      let values = rows.map { HTMLReportWriter.number($0[column]) }
      let largest = values.compactMap { $0 }.map(abs).max() ?? 0
      guard largest > 0 else { continue }
      var points: [String] = []
      for (index, value) in values.enumerated() {
        guard let value else { continue }
        let px = left + (rows.count == 1 ? 0 : index * plotWidth / (rows.count - 1))
        let py = 30 + plotHeight - Int((value / largest * Double(plotHeight)).rounded())
        points.append("\(px),\(py)")
      }
      svg +=
        "<polyline fill=\"none\" stroke=\"\(HTMLReportWriter.colors[slot % 4])\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
    }
    let step = max(1, rows.count / 8)
    for index in stride(from: 0, to: rows.count, by: step) {
      let px = left + (rows.count == 1 ? 0 : index * plotWidth / (rows.count - 1))
      svg +=
        "<text x=\"\(px)\" y=\"\(height - 8)\" text-anchor=\"middle\">\(escape(ValueFormatter.display(rows[index][x], type: result.columns[x].type)))</text>"
    }
    let legend = series.map { column -> String in
      let largest = rows.compactMap { HTMLReportWriter.number($0[column]) }.map(abs).max() ?? 0
      return result.columns[column].name + " (до "
        + ValueFormatter.display(
          result.columns[column].type == .money ? .money(Int64((largest * 100).rounded())) : .double(largest),
          type: result.columns[column].type == .ratio ? .ratio : .double) + ")"
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lines\" width=\"\(width)\" height=\"\(height)\">"
      + legendSVG(legend) + svg + "</svg>"
  }

  func legendSVG(_ names: [String]) -> String {
    var x = 0
    var svg = ""
    for (slot, name) in names.enumerated() {
      svg +=
        "<rect x=\"\(x)\" y=\"4\" width=\"10\" height=\"10\" fill=\"\(HTMLReportWriter.colors[slot % 4])\"/>"
        + "<text x=\"\(x + 14)\" y=\"13\">\(escape(name))</text>"
      x += 24 + name.count * 7
    }
    return svg
  }

  /// Text in the page, as a workbook's XML writes it but for control characters, kept as given.
  func escape(_ text: String) -> String { Markup.escape(text, keepingControls: true) }
}
