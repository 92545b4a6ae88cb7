/// Text a diagnostic can point into: a query, a script, or one line of a data file.
///
/// `firstLine` lets an excerpt (say, line 5 120 of a CSV file) keep its real line number.
public struct SourceFile: Sendable, Equatable {
  /// How messages name it: `query`, `report.crmq`.
  public let name: String
  /// The text.
  public let text: String
  /// The line number of its first line (a statement cut from a longer script starts later).
  public let firstLine: Int
  private let utf8: [UInt8]
  private let lineStarts: [Int]

  /// A text to parse: `SourceFile(name: "query", text: "count by stage")`.
  public init(name: String, text: String, firstLine: Int = 1) {
    self.name = name
    self.text = text
    self.firstLine = firstLine
    let bytes = Array(text.utf8)
    self.utf8 = bytes
    var starts = [0]
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      starts.append(index + 1)
    }
    self.lineStarts = starts
  }

  /// Its length in UTF-8 bytes.
  public var byteCount: Int { utf8.count }

  /// A 1-based line and 1-based column counted in Unicode characters, for a UTF-8 offset.
  public func location(of offset: Int) -> (line: Int, column: Int) {
    let clamped = min(max(0, offset), utf8.count)
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
    }
    let start = lineStarts[low]
    let column = characterCount(from: start, to: clamped) + 1
    return (low + firstLine, column)
  }

  /// The text of a line (1-based, in this file's numbering), without its line break.
  public func lineText(_ line: Int) -> String {
    let index = line - firstLine
    guard index >= 0, index < lineStarts.count else { return "" }
    let start = lineStarts[index]
    var end = index + 1 < lineStarts.count ? lineStarts[index + 1] - 1 : utf8.count
    if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: utf8[start..<max(start, end)], as: UTF8.self)
  }

  /// The UTF-8 offset where a line (in this file's numbering) starts and ends.
  public func lineRange(_ line: Int) -> Range<Int> {
    let index = line - firstLine
    guard index >= 0, index < lineStarts.count else { return utf8.count..<utf8.count }
    let start = lineStarts[index]
    let end = index + 1 < lineStarts.count ? lineStarts[index + 1] - 1 : utf8.count
    return start..<max(start, end)
  }

  /// The source text covered by a span.
  public func text(of span: SourceSpan) -> String {
    let start = min(max(0, span.start), utf8.count)
    let end = min(max(start, span.end), utf8.count)
    return String(decoding: utf8[start..<end], as: UTF8.self)
  }

  /// Characters (not bytes) between two offsets: Cyrillic letters are two bytes but one column.
  public func characterCount(from start: Int, to end: Int) -> Int {
    var count = 0
    var index = start
    while index < end && index < utf8.count {
      if utf8[index] & 0xC0 != 0x80 { count += 1 }
      index += 1
    }
    return count
  }
}
