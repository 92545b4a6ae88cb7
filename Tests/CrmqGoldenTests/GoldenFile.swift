import Foundation

/// One record of a golden file: a directive, the statement text, and the expected output.
struct GoldenRecord {
  enum Kind: Equatable {
    /// `query [table|csv|json|markdown]`: the result rendered in that format.
    case query(String)
    /// `statement ok`: runs without error, prints nothing compared.
    case statementOK
    /// `statement error`: the rendered diagnostics.
    case statementError
    /// `explain`: the plan text for the query that follows.
    case explain
    /// `load DIR`: the data for the records after it.
    case load(String)
    /// `load error DIR`: loading fails with exactly this rendering.
    case loadError(String)
    /// `load warnings DIR`: loading succeeds with exactly these warnings.
    case loadWarnings(String)
    /// `today YYYY-MM-DD`.
    case today(String)
  }

  var kind: Kind
  var line: Int
  var text: String
  var expected: String
  /// Line range of the expected block in the file (for record mode).
  var expectedLines: Range<Int>?
}

/// A `.test` file: records separated by blank lines, `#` comments, `----` before expected output.
struct GoldenFile {
  let path: String
  let lines: [String]
  var records: [GoldenRecord] = []

  static let directives = ["query", "statement", "explain", "load", "today"]

  init(path: String) throws {
    self.path = path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines = text.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    self.lines = lines
    var index = 0
    while index < lines.count {
      let line = lines[index]
      if line.isEmpty || line.hasPrefix("#") {
        index += 1
        continue
      }
      let words = line.split(separator: " ").map(String.init)
      let start = index
      index += 1
      let kind: GoldenRecord.Kind
      switch words.first ?? "" {
      case "query": kind = .query(words.count > 1 ? words[1] : "table")
      case "statement" where words.count > 1 && words[1] == "ok": kind = .statementOK
      case "statement" where words.count > 1 && words[1] == "error": kind = .statementError
      case "explain": kind = .explain
      case "load" where words.count > 2 && words[1] == "error": kind = .loadError(words[2])
      case "load" where words.count > 2 && words[1] == "warnings": kind = .loadWarnings(words[2])
      case "load" where words.count == 2: kind = .load(words[1])
      case "today" where words.count == 2: kind = .today(words[1])
      default:
        throw GoldenFormatError(message: "\(path):\(start + 1): unknown record '\(line)'")
      }
      // Statement text: up to `----` or a blank line.
      var body: [String] = []
      while index < lines.count && lines[index] != "----" && !lines[index].isEmpty {
        body.append(lines[index])
        index += 1
      }
      var expected: [String] = []
      var expectedLines: Range<Int>?
      if index < lines.count && lines[index] == "----" {
        index += 1
        let from = index
        while index < lines.count {
          if lines[index].isEmpty {
            var next = index
            while next < lines.count && lines[next].isEmpty { next += 1 }
            if next >= lines.count { break }
            let word = lines[next].split(separator: " ").first.map(String.init) ?? ""
            if GoldenFile.directives.contains(word) || lines[next].hasPrefix("#") { break }
          }
          expected.append(lines[index])
          index += 1
        }
        while expected.last == "" { expected.removeLast() }
        expectedLines = from..<(from + expected.count)
      }
      records.append(
        GoldenRecord(
          kind: kind, line: start + 1, text: body.joined(separator: "\n"), expected: expected.joined(separator: "\n"),
          expectedLines: expectedLines))
    }
  }
}

struct GoldenFormatError: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}
