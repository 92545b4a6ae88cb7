import CrmqCore
import CrmqStorage

/// The columns whose values are a fixed set of words (a deal's status: open, won, lost; a call's
/// direction and status; a stage's kind), checked once a table is loaded.
///
/// A value that is one of the words but for case and spaces (`WON`, `Won `) is read as that word,
/// and the report says so; any other value stays as written and is warned about (E0517), since
/// the measures that count by it (won, lost, missed, …) leave it out.
enum LabelNormalizer {
  /// The labelled columns of each table, with their words.
  static let labels: [String: [(column: String, words: [String])]] = [
    "deals": [("status", ["open", "won", "lost"])],
    "calls": [("direction", ["in", "out"]), ("status", ["answered", "missed"])],
    "stages": [("kind", ["open", "won", "lost"])],
  ]

  /// Rewrites the labelled columns of `table` in place; returns the report's lines and warnings.
  static func normalize(_ columns: inout [Column], table: String, file: String) -> (
    details: [String], warnings: [Diagnostic]
  ) {
    var details: [String] = []
    var warnings: [Diagnostic] = []
    for (name, words) in labels[table] ?? [] {
      guard let index = columns.firstIndex(where: { $0.name == name }),
        case .dictionary(let codes, let dictionary) = columns[index].data
      else { continue }
      var read: [(written: String, word: String, rows: Int)] = []
      var unknown: [(value: String, rows: Int)] = []
      var target = [Int](repeating: 0, count: dictionary.count)
      var values: [String] = []
      func code(_ value: String) -> Int {
        if let found = values.firstIndex(of: value) { return found + 1 }
        values.append(value)
        return values.count
      }
      for old in 1..<max(1, dictionary.count) {
        let value = dictionary.string(at: old)
        let rows = dictionary.rowCounts[old]
        if words.contains(value) {
          target[old] = code(value)
        } else if let word = words.first(where: { $0 == value.trimmingWhitespace().lowercased() }) {
          target[old] = code(word)
          read.append((value, word, rows))
        } else {
          target[old] = code(value)
          unknown.append((value, rows))
        }
      }
      if !read.isEmpty {
        let list = read.map { "'\($0.written)' (\(rows($0.rows))) as \($0.word)" }.joined(separator: ", ")
        details.append("\(name) written otherwise read as its word: \(list)")
        var interner = ByteInterner()
        for value in values {
          var copy = value
          _ = copy.withUTF8 { interner.intern($0) }
        }
        var rowCounts = [Int](repeating: 0, count: values.count + 1)
        var mapped = ContiguousArray<UInt32>(repeating: 0, count: codes.count)
        for (row, old) in codes.enumerated() {
          let new = target[Int(old)]
          mapped[row] = UInt32(new)
          rowCounts[new] += 1
        }
        let column = columns[index]
        columns[index] = Column(
          name: column.name, type: column.type,
          data: .dictionary(codes: mapped, dictionary: StringDictionary(interner: interner, rowCounts: rowCounts)),
          validity: column.validity)
      }
      if !unknown.isEmpty {
        let total = unknown.reduce(0) { $0 + $1.rows }
        let list = unknown.prefix(5).map { "'\($0.value)' (\(rows($0.rows)))" }.joined(separator: ", ")
        warnings.append(
          Diagnostic(
            DiagnosticCode("E0517"), .warning,
            "'\(file)': \(rows(total)) \(total == 1 ? "has" : "have") a \(name) that is none of \(words.joined(separator: ", ")): \(list)"
              + (unknown.count > 5 ? ", and \(unknown.count - 5) more" : ""),
            help: [
              "the measures that count by \(name) leave these rows out: write one of \(words.joined(separator: ", ")) in the file"
            ]))
      }
    }
    return (details, warnings)
  }

  static func rows(_ count: Int) -> String {
    count == 1 ? "1 row" : "\(NumberFormat.integer(Int64(count), grouped: true)) rows"
  }
}
