import CrmqCore
import CrmqPlanner
import CrmqSQL

/// A SQL server as an `ExecutionBackend`: each plan is compiled to the server's SQL
/// (`SQLCompiler`), sent, and its text cells read back as the plan's columns say (money to the
/// kopeck, buckets as the engine's), so every output format prints what the in-memory engine would.
struct WarehouseBackend: ExecutionBackend {
  let connection: any WarehouseConnection
  /// Whether the server has a stages table (funnels read their stage order there).
  let hasStages: Bool

  func compile(_ plan: LogicalPlan) throws(SQLCompileFailure) -> String {
    var compiler = SQLCompiler(dialect: connection.dialect)
    compiler.hasStages = hasStages
    return try compiler.compile(plan)
  }

  func run(_ plan: LogicalPlan, cancelled: @escaping @Sendable () -> Bool) throws -> ResultTable {
    let sql = try compile(plan)
    guard let columns = plan.outputColumns else { throw WarehouseError.unreadable("a plan without result columns") }
    let cells = try connection.query(sql, cancelled: cancelled)
    var rows = try cells.enumerated().map { index, row throws(WarehouseError) -> [Value] in
      guard row.count == columns.count else {
        throw WarehouseError.unreadable("row \(index + 1) of the answer has \(row.count) cells, not \(columns.count)")
      }
      return try zip(row, columns).map { cell, column throws(WarehouseError) in
        try WarehouseCell.value(cell, type: column.type, column: column.name)
      }
    }
    // The statement returns its total row last; the engine keeps it apart.
    var total: [Value]?
    if plan.hasTotal, !rows.isEmpty { total = rows.removeLast() }
    var result = ResultTable(columns: columns, rows: rows, total: total)
    // The notes the engine's compare gives its result.
    switch plan {
    case .compare(let node): result.notes.append("compared with: \(node.comparison.description)")
    case .funnel(let node):
      if let comparison = node.comparison { result.notes.append("compared with: \(comparison.description)") }
      if !node.stageOrders.isEmpty {
        result.notes.append("stage order of \(node.stageOrders.keys.sorted().joined(separator: ", ")) set by 'stages'")
      }
    default: break
    }
    if case .funnel = plan { result.barColumn = columns.firstIndex { $0.name == "deals" } }
    return result
  }

  func describe(_ plan: LogicalPlan) throws -> String {
    "SQL sent to \(connection.displayName):\n" + (try compile(plan))
  }
}

extension LogicalPlan {
  /// Whether the result ends with a total row (`with total`, alone or compared).
  var hasTotal: Bool {
    switch self {
    case .total: return true
    case .compare(let node):
      if case .none = node.total { return false }
      return true
    default: return false
    }
  }
}

/// A cell as a SQL server prints it, read as a value of crmq's type.
enum WarehouseCell {
  static func value(_ cell: String?, type: DataType, column: String) throws(WarehouseError) -> Value {
    guard let text = cell else { return .null }
    func fail() -> WarehouseError {
      .unreadable("the server answered '\(text)' for \(column), which is not \(type)")
    }
    switch type {
    case .int:
      guard let v = Int64(text) else { throw fail() }
      return .int(v)
    case .double, .ratio:
      switch text.lowercased() {
      case "nan", "inf", "+inf", "-inf", "infinity", "-infinity": return .null
      default:
        guard let v = Double(text) else { throw fail() }
        return .double(v)
      }
    case .money:
      guard let kopecks = kopecks(text) else { throw fail() }
      return .money(kopecks)
    case .bool:
      switch text.lowercased() {
      case "t", "true", "1": return .bool(true)
      case "f", "false", "0": return .bool(false)
      default: throw fail()
      }
    case .date:
      guard let day = SystemClock.parseDate(String(text.prefix(10))) else { throw fail() }
      return .date(day)
    case .timestamp:
      let parts = text.split(separator: " ")
      guard parts.count == 2, let day = SystemClock.parseDate(String(parts[0])) else { throw fail() }
      let clock = parts[1].split(separator: ".")[0].split(separator: ":").compactMap { Int64($0) }
      guard clock.count == 3 else { throw fail() }
      return .timestamp(day * CivilDate.secondsPerDay + clock[0] * 3600 + clock[1] * 60 + clock[2])
    case .bucket(let grain):
      guard let key = grain.key(ofLabel: text) else { throw fail() }
      return .bucket(grain, key)
    case .string, .null:
      return .string(text)
    }
  }

  /// `-123.4` → -12340: a decimal with at most two places, exactly (never through a double).
  static func kopecks(_ text: String) -> Int64? {
    var digits = Substring(text)
    let negative = digits.first == "-"
    if negative || digits.first == "+" { digits = digits.dropFirst() }
    let halves = digits.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(halves.count), let whole = Int64(halves[0]), !halves[0].isEmpty else { return nil }
    var cents: Int64 = 0
    if halves.count == 2 {
      let fraction = halves[1]
      guard fraction.count <= 2 || fraction.dropFirst(2).allSatisfy({ $0 == "0" }),
        let value = Int64(fraction.count == 1 ? fraction + "0" : String(fraction.prefix(2)))
      else { return nil }
      cents = value
    }
    let (scaled, overflow) = whole.multipliedReportingOverflow(by: 100)
    guard !overflow else { return nil }
    return negative ? -(scaled + cents) : scaled + cents
  }
}
