import CrmqImport
import CrmqSemantics
import CrmqSyntax

#if canImport(Glibc)
  import Glibc
#endif

/// What Tab offers at the cursor: keywords and measures, columns after `by` and in conditions,
/// tables after `of`, `show` and `describe`, and after `where <column> = ` the column's most
/// frequent values, quoted.
///
/// In a `load` statement: the file (quoted), the table after `as`, the table's columns after `map`,
/// the file's own columns after `column =`, a status in `status from`.
public struct Completer: Sendable {
  /// The tables, their columns, and a column's most frequent values: the loaded data's, or a
  /// server's under `--connect`.
  let tableNames: [String]
  let columnNames: [String]
  let topValues: @Sendable (String, Int) -> [String]
  let keywords: [String]
  let measures: [String]
  let grains = ["day", "week", "month", "quarter", "year", "weekday", "hour"]
  let commands = [
    ".help", ".tables", ".schema", ".metrics", ".format", ".output", ".timer", ".today", ".explain", ".last",
    ".history", ".read", ".quit",
  ]

  /// Which paths Tab may list, and which files' headers it may read.
  let loadPolicy: LoadPolicy

  /// A completer over the engine's tables, columns, measures and frequent values; paths and file
  /// headers only as far as `loadPolicy` lets a load read.
  public init(engine: Engine, loadPolicy: LoadPolicy = .unrestricted) {
    self.init(
      tables: engine.tableNames, columns: engine.columnNames, measures: engine.measureNames,
      topValues: { engine.topValues(of: $0, limit: $1) }, loadPolicy: loadPolicy)
  }

  /// A completer over what a session reads: the engine's data, or when connected the server's
  /// tables and columns, and its values as the server gives them (asked once a column).
  public init(session: Session) {
    guard let warehouse = session.warehouse else {
      self.init(engine: session.engine, loadPolicy: session.loadPolicy)
      return
    }
    let tables = warehouse.tableSchemas
    var seen = Set<String>()
    let columns = tables.flatMap { $0.columns.map(\.name) }.filter { seen.insert($0).inserted }
    let names = Set(tables.map(\.name))
    self.init(
      tables: tables.map(\.name), columns: columns,
      measures: SemanticModel.measures.filter { names.contains($0.table) }.map(\.name),
      topValues: { column, limit in
        guard let table = tables.first(where: { $0.column(named: column) != nil }) else { return [] }
        return (warehouse.values(of: column, in: table.name) ?? []).prefix(limit).map(\.value)
      }, loadPolicy: .none)
  }

  init(
    tables: [String], columns: [String], measures: [String], topValues: @escaping @Sendable (String, Int) -> [String],
    loadPolicy: LoadPolicy
  ) {
    tableNames = tables
    columnNames = columns
    self.topValues = topValues
    self.loadPolicy = loadPolicy
    keywords = Keyword.allCases.map(\.rawValue) + ["total", "last", "previous", "classic"]
    self.measures = ["count", "sum(", "avg(", "min(", "max(", "median(", "count(distinct "] + measures
  }

  /// Candidates for the text that ends at `cursor` (a character offset into `line`), and how many
  /// characters before the cursor each candidate replaces.
  public func complete(line: String, cursor: Int) -> (replacing: Int, candidates: [String]) {
    // A cursor out of the line (a protocol client's -1) is taken at its nearest end.
    let before = String(line.prefix(max(0, cursor)))
    if before.hasPrefix("."), !before.contains(" ") { return (before.count, commands.filter { $0.hasPrefix(before) }) }
    // A path after .load, .read and .output.
    for command in [".load ", ".read ", ".output "] where before.hasPrefix(command) {
      let typed = String(before.dropFirst(command.count))
      return (typed.count, Completer.paths(typed, policy: loadPolicy))
    }
    // Inside a `load` statement: the file, the table, the columns to fill, the file's columns.
    if let load = loadContext(before) { return load }
    // A name in double quotes, still open: the column, quotes closed (`"Гор` → `"Город"`).
    if before.filter({ $0 == "\"" }).count % 2 == 1, before.filter({ $0 == "'" }).count % 2 == 0,
      let quote = before.lastIndex(of: "\"")
    {
      let typed = before[before.index(after: quote)...].lowercased()
      let names = columnNames.filter { $0.lowercased().hasPrefix(typed) }.sorted()
      return (before.distance(from: quote, to: before.endIndex), names.map { "\"" + $0 + "\"" })
    }
    // A value after `<column> = '` or `<column> = `.
    if let value = valueContext(before) {
      let options = topValues(value.column, 12).map { "'" + $0.replacingQuote() + "'" }
      return (value.prefix.count, options.filter { $0.lowercased().hasPrefix(value.prefix.lowercased()) })
    }
    let word = currentWord(before)
    return (word.count, completions(word: word, before: before))
  }

  /// The candidates alone.
  public func completions(line: String, cursor: Int) -> [String] {
    complete(line: line, cursor: cursor).candidates
  }

  func completions(word: String, before: String) -> [String] {
    let previous = previousWord(before, skipping: word)?.lowercased()
    let lower = word.lowercased()
    var seen = Set<String>()
    func matching(_ pool: [String]) -> [String] {
      pool.filter { $0.lowercased().hasPrefix(lower) && seen.insert($0).inserted }
    }
    switch previous {
    case "of", "show", "describe": return matching(tableNames + (previous == "describe" ? ["metrics"] : [])).sorted()
    case "period": return matching(["last"] + Completer.periodGrains)
    case "last": return matching(Completer.periodGrains)
    case "compare": return matching(["previous", "year", "period"])
    case "with": return matching(["total"])
    case "top", "limit": return []
    case let count? where count.allSatisfy(\.isNumber) && Completer.clause(before.dropLast(word.count)) == "last":
      // `period last 2 ` → the grains in the plural.
      return matching(Completer.periodGrains.map { $0 + "s" })
    case ",":
      // After a comma: a measure in the list of measures, a dimension after `by`.
      if Completer.clause(before) == nil { return matching(measures) + matching(columnNames).sorted() }
      return matching(columnNames + grains).sorted()
    case "by", "where", "and", "or", "not": return matching(columnNames + grains).sorted()
    default: return matching(measures + keywords + columnNames + grains).sorted()
    }
  }

  /// The grains a period counts in: `period last month`, `period last 3 months`.
  static let periodGrains = ["day", "week", "month", "quarter", "year"]

  /// The last clause keyword before the cursor (`by`, `where`, `period`, `last`, …), or nil in the
  /// list of measures.
  static func clause(_ text: some StringProtocol) -> String? {
    // Words inside quotes are values and names, not clauses (`where source = 'by mail', `).
    var outside = ""
    var quote: Character?
    for character in text {
      if let open = quote {
        if character == open { quote = nil }
      } else if character == "'" || character == "\"" {
        quote = character
      } else {
        outside.append(character)
      }
    }
    let words = outside.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map { $0.lowercased() }
    return words.last {
      ["by", "where", "period", "last", "order", "top", "limit", "with", "compare", "of"].contains($0)
    }
  }

  /// Files and folders that start with `typed` (folders end with '/'), of a folder the policy
  /// permits, each one permitted too.
  static func paths(_ typed: String, policy: LoadPolicy) -> [String] {
    let slash = typed.lastIndex(of: "/")
    let folder = slash.map { String(typed[...$0]) } ?? ""
    let prefix = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
    // Each entry is checked: a folder outside the roots lists nothing but the roots inside it.
    guard policy.roots.map({ !$0.isEmpty }) ?? true else { return [] }
    var out: [String] = []
    for (name, isFolder) in DirectoryListing.entries(of: folder.isEmpty ? "." : folder) {
      guard name.hasPrefix(prefix), !(prefix.isEmpty && name.hasPrefix(".")) else { continue }
      guard policy.permits(folder + name) else { continue }
      out.append(folder + name + (isFolder ? "/" : ""))
    }
    return out.sorted()
  }

  /// `load '<path>` (a path, quoted), `as <table>`, `map <column>` and `<column> = <the file's
  /// column>`; nil outside a load statement.
  func loadContext(_ before: String) -> (replacing: Int, candidates: [String])? {
    let trimmed = before.drop { $0 == " " }
    guard trimmed.lowercased().hasPrefix("load ") else { return nil }
    let afterLoad = trimmed.dropFirst(5).drop { $0 == " " }
    guard afterLoad.hasPrefix("'") else { return (0, []) }
    let quoted = afterLoad.dropFirst()
    guard let close = quoted.firstIndex(of: "'") else {
      // Still in the path: files, quoted; a file closes its quote, a folder goes on.
      let paths = Completer.paths(String(quoted), policy: loadPolicy).map { "'" + $0 + ($0.hasSuffix("/") ? "" : "'") }
      return (afterLoad.count, paths)
    }
    let path = String(quoted[..<close])
    let rest = String(quoted[quoted.index(after: close)...])
    let word = currentWord(before)
    let head = before.dropLast(word.count).trimmingTrailingSpaces()
    let lower = word.lowercased()
    func matching(_ pool: [String]) -> (Int, [String]) {
      var seen = Set<String>()
      return (word.count, pool.filter { $0.lowercased().hasPrefix(lower) && seen.insert($0).inserted })
    }
    let tables = CanonicalSchema.all.map(\.table)
    if let open = before.lastIndex(of: "("), before.lastIndex(of: ")").map({ $0 < open }) ?? true {
      // Inside `status from <column> ('<value>' = …)`: a status.
      return head.hasSuffix("=") ? matching(["won", "lost", "open"]) : (0, [])
    }
    if let equals = before.lastIndex(of: "="), before[before.index(after: equals)...].allSatisfy({ $0 != "," }),
      head.hasSuffix("=") || before[before.index(after: equals)...].drop(while: { $0 == " " }).hasPrefix("'")
    {
      // The file's own columns, quoted when they are not plain names; what is typed may open the quote.
      let typed = String(before[before.index(after: equals)...].drop { $0 == " " })
      let plain = typed.hasPrefix("'") ? String(typed.dropFirst()).lowercased() : typed.lowercased()
      let header = (loadPolicy.permits(path) ? Completer.header(of: path) : []).filter {
        $0.lowercased().hasPrefix(plain)
      }.map { name in
        name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !typed.hasPrefix("'")
          ? name : "'" + name.replacingQuote() + "'"
      }
      return (typed.count, header)
    }
    switch previousWord(before, skipping: word)?.lowercased() {
    case "as": return matching(tables)
    case "map", ",":
      let words = rest.lowercased().split(whereSeparator: { $0 == " " || $0 == "\n" })
      let table =
        words.firstIndex(of: "as").flatMap { words.indices.contains($0 + 1) ? String(words[$0 + 1]) : nil } ?? "deals"
      return matching(CanonicalSchema.all.first { $0.table == table }?.columns.map(\.name) ?? [])
    default:
      return matching(rest.lowercased().contains(" map ") ? [] : ["sheet", "as", "map"])
    }
  }

  /// The header of a CSV (any delimiter and encoding) or HTML export, read from its first 64 KB.
  static func header(of path: String) -> [String] {
    guard LoadPolicy.isRegularFile(path), let file = fopen(path, "rb") else { return [] }
    defer { fclose(file) }
    var bytes = [UInt8](repeating: 0, count: 64 << 10)
    let count = fread(&bytes, 1, bytes.count, file)
    return FolderLoader.header(Array(bytes.prefix(count)))
  }

  func currentWord(_ text: String) -> String {
    String(text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "(" }.reversed())
  }

  func previousWord(_ text: String, skipping word: String) -> String? {
    let rest = text.dropLast(word.count).trimmingTrailingSpaces()
    if rest.hasSuffix(",") { return "," }
    let last = rest.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
    return last.isEmpty ? nil : String(last.reversed())
  }

  /// `where source = 'Ян` → (source, 'Ян).
  func valueContext(_ text: String) -> (column: String, prefix: String)? {
    guard let equals = text.lastIndex(of: "=") else { return nil }
    let after = text[text.index(after: equals)...].drop { $0 == " " }
    guard after.isEmpty || after.hasPrefix("'"), !after.dropFirst().contains("'") else { return nil }
    let head = text[..<equals].trimmingTrailingSpaces()
    // A quoted name: `"Город" = 'Мос`.
    if head.hasSuffix("\""), let open = head.dropLast().lastIndex(of: "\"") {
      let column = String(head[head.index(after: open)..<head.index(before: head.endIndex)])
      return columnNames.contains(column) ? (column, String(after)) : nil
    }
    let column = String(head.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
    guard columnNames.contains(column) else { return nil }
    return (column, String(after))
  }
}

extension StringProtocol {
  func trimmingTrailingSpaces() -> String {
    var text = String(self)
    while text.last == " " { text.removeLast() }
    return text
  }

  func replacingQuote() -> String {
    split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''")
  }
}
