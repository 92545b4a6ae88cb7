import Crmq

/// Where `--output FILE` sends results, by the file's extension.
enum OutputFile {
  enum Kind: Equatable {
    /// An Excel workbook: a sheet per statement.
    case workbook
    /// One HTML page: each statement, its table and a chart.
    case html
    /// Text in a format, as it would go to standard output.
    case text(OutputFormat)

    init?(path: String) {
      let lower = path.lowercased()
      guard let dot = lower.lastIndex(of: "."), !lower[dot...].contains("/") else { return nil }
      switch lower[lower.index(after: dot)...] {
      case "xlsx": self = .workbook
      case "html", "htm": self = .html
      case "csv": self = .text(.csv)
      case "json": self = .text(.json)
      case "md": self = .text(.markdown)
      case "txt": self = .text(.table)
      default: return nil
      }
    }
  }
}

extension OutputFile.Kind {
  /// The bytes of a workbook or a page of these results.
  func document(_ sheets: [WorkbookWriter.Sheet]) -> [UInt8] {
    switch self {
    case .workbook: return WorkbookWriter().workbook(sheets)
    case .html: return Array(HTMLReportWriter().page(sheets).utf8)
    case .text: return []
    }
  }
}

/// Standard output sent to a file (`--output FILE` with a text format), the rest as it was.
final class FileOutputIO: CommandIO, @unchecked Sendable {
  let inner: CommandIO
  let path: String
  var text = ""

  init(inner: CommandIO, path: String) {
    self.inner = inner
    self.path = path
  }

  func write(_ text: String) { self.text += text }
  func writeError(_ text: String) { inner.writeError(text) }
  func readLine() -> String? { inner.readLine() }
  var isInteractive: Bool { inner.isInteractive }
  var outputIsTerminal: Bool { false }
  var colorErrors: Bool { inner.colorErrors }
  var environment: [String: String] { inner.environment }
  var outputFailure: String? { inner.outputFailure }
  var terminalWidth: Int? { nil }

  /// Writes what was gathered; false (said) when the file cannot be written.
  func flush() -> Bool {
    guard TextFile.write(text, to: path) else {
      inner.writeError("crmq: cannot write '\(path)'\n")
      return false
    }
    return true
  }
}
