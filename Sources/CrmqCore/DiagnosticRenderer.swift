/// Draws diagnostics the way a compiler does: code, message, position, source line, carets, help.
///
///     error[E0301]: unknown column 'amout'
///      --> query:1:22
///       |
///     1 | count by stage where amout > 5
///       |                      ^^^^^ not a column of deals
///       = help: did you mean 'amount'?
///
/// Columns are counted in characters, so carets sit under Cyrillic text correctly.
public struct DiagnosticRenderer: Sendable {
  /// ANSI colours (a terminal without NO_COLOR).
  public var colored: Bool

  /// A renderer: `DiagnosticRenderer().render(error.diagnostics)`.
  public init(colored: Bool = false) {
    self.colored = colored
  }

  /// Several diagnostics, one after another.
  public func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map(render).joined(separator: "\n")
  }

  /// One diagnostic: `error[E0301]: …`, the place, the source line with carets, the help.
  public func render(_ diagnostic: Diagnostic) -> String {
    var out = paint(
      "\(diagnostic.severity.rawValue)[\(diagnostic.code)]", diagnostic.severity == .error ? "31;1" : "33;1")
    out += paint(": \(diagnostic.message)", "1") + "\n"
    if let source = diagnostic.source, let span = diagnostic.span {
      out += snippet(source, span, label: diagnostic.label, marker: "^")
    }
    for note in diagnostic.notes {
      if let source = diagnostic.source, let span = note.span {
        out += paint("note", "36;1") + ": \(note.message)\n"
        out += snippet(source, span, label: nil, marker: "-")
      } else {
        out += gutterPad(diagnostic) + "= note: \(note.message)\n"
      }
    }
    for help in diagnostic.help {
      out += gutterPad(diagnostic) + "= " + paint("help", "36;1") + ": \(help)\n"
    }
    return out
  }

  private func gutterPad(_ diagnostic: Diagnostic) -> String {
    guard let source = diagnostic.source, let span = diagnostic.span else { return "" }
    let width = String(source.location(of: span.end).line).count
    return String(repeating: " ", count: width + 1)
  }

  private func snippet(_ source: SourceFile, _ span: SourceSpan, label: String?, marker: Character) -> String {
    let start = source.location(of: span.start)
    let end = source.location(of: span.end)
    let width = String(end.line).count
    let pad = String(repeating: " ", count: width)
    var out = "\(pad)--> \(source.name):\(start.line):\(start.column)\n"
    out += "\(pad) |\n"
    let lastLine = min(end.line, start.line + 3)
    for line in start.line...lastLine {
      let range = source.lineRange(line)
      let from = line == start.line ? span.start : range.lowerBound
      let to = line == end.line ? span.end : range.upperBound
      let (text, column, count) = DiagnosticRenderer.window(
        source.lineText(line), column: source.characterCount(from: range.lowerBound, to: max(range.lowerBound, from)),
        count: max(1, source.characterCount(from: from, to: to)))
      out += String(line).leftPadded(to: width) + " | " + text + "\n"
      let prefix = String(text.prefix(column))
      var underline = "\(pad) | " + String(repeating: " ", count: DisplayWidth.of(prefix))
      let coveredText = String(text.dropFirst(column).prefix(count))
      let caretCount = max(1, DisplayWidth.of(coveredText))
      underline += paint(String(repeating: marker, count: caretCount), marker == "^" ? "31;1" : "36;1")
      if line == lastLine, let label { underline += " " + label }
      out += underline + "\n"
    }
    return out
  }

  /// A line longer than `limit` columns (a script of statements on one line, a pasted export)
  /// shown as the stretch around the span, `…` where it was cut; the column and the count of
  /// characters marked, within what is shown.
  static func window(_ text: String, column: Int, count: Int, limit: Int = 160) -> (text: String, column: Int, count: Int) {
    guard DisplayWidth.of(text) > limit else { return (text, column, count) }
    let characters = Array(text)
    let marked = min(count, limit / 2)
    let left = max(0, min(column, characters.count) - limit / 4)
    let right = min(characters.count, column + marked + limit / 4)
    let shown = (left > 0 ? "…" : "") + String(characters[left..<max(left, right)]) + (right < characters.count ? "…" : "")
    return (shown, column - left + (left > 0 ? 1 : 0), marked)
  }

  private func paint(_ text: String, _ code: String) -> String {
    colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
