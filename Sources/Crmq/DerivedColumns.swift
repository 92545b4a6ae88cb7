import CrmqCore
import CrmqStorage

/// Per-deal facts computed once at load, stored as columns of deals so queries group and filter
/// on them like on any other column.
///
/// - `repeat`: `repeat` when the same client_id has a won deal closed before this deal was
///   created (Bitrix24's "Повторная сделка"), else `primary`.
/// - `stage_group`: `open`, `won` or `lost`, from the stage's kind in stages.csv, else the status.
/// - `lost_at`: for a lost deal, the last open stage it entered (from stage_history; null without).
enum DerivedColumns {
  static let names = ["repeat", "stage_group", "lost_at"]

  static func add(to catalog: Catalog) -> Catalog {
    guard let deals = catalog.table(named: "deals") else { return catalog }
    let existing = Set(deals.columns.map(\.name))
    var columns = deals.columns
    if !existing.contains("repeat"), let column = repeatColumn(deals) { columns.append(column) }
    if !existing.contains("stage_group"), let column = stageGroupColumn(deals, stages: catalog.table(named: "stages")) {
      columns.append(column)
    }
    if !existing.contains("lost_at"),
      let column = lostAtColumn(deals, history: catalog.table(named: "stage_history"), stages: catalog.table(named: "stages"))
    {
      columns.append(column)
    }
    var result = catalog
    result.put(Table(name: deals.name, columns: columns, mainDate: deals.mainDate, sourcePath: deals.sourcePath))
    return result
  }

  static func int64s(_ column: Column?) -> ContiguousArray<Int64>? {
    guard let column, case .int64(let values) = column.data else { return nil }
    return values
  }

  static func repeatColumn(_ deals: Table) -> Column? {
    guard let clients = deals.column(named: "client_id"), let clientValues = int64s(clients),
      let created = deals.column(named: "created_at"), let createdValues = int64s(created),
      let closed = deals.column(named: "closed_at"), let closedValues = int64s(closed),
      let status = deals.column(named: "status")
    else { return nil }
    var firstWin: [Int64: Int64] = [:]
    for row in 0..<deals.rowCount
    where clients.isValid(row) && closed.isValid(row) && status.value(at: row) == .string("won") {
      let client = clientValues[row]
      firstWin[client] = min(firstWin[client] ?? Int64.max, closedValues[row])
    }
    var builder = StringColumnBuilder(name: "repeat", capacity: deals.rowCount)
    for row in 0..<deals.rowCount {
      if clients.isValid(row), created.isValid(row), let win = firstWin[clientValues[row]], win < createdValues[row] {
        builder.append("repeat")
      } else {
        builder.append("primary")
      }
    }
    return builder.build()
  }

  /// The kind (open, won, lost) of each (pipeline, stage) in stages.csv.
  static func kinds(_ stages: Table?) -> [String: String] {
    guard let stages, let pipeline = stages.column(named: "pipeline"), let stage = stages.column(named: "stage"),
      let kind = stages.column(named: "kind")
    else { return [:] }
    var out: [String: String] = [:]
    for row in 0..<stages.rowCount {
      guard case .string(let p) = pipeline.value(at: row), case .string(let s) = stage.value(at: row),
        case .string(let k) = kind.value(at: row)
      else { continue }
      out[p + "\u{1F}" + s] = k
    }
    return out
  }

  static func stageGroupColumn(_ deals: Table, stages: Table?) -> Column? {
    guard let pipeline = deals.column(named: "pipeline"), let stage = deals.column(named: "stage"),
      let status = deals.column(named: "status")
    else { return nil }
    let kinds = kinds(stages)
    var builder = StringColumnBuilder(name: "stage_group", capacity: deals.rowCount)
    for row in 0..<deals.rowCount {
      if case .string(let p) = pipeline.value(at: row), case .string(let s) = stage.value(at: row),
        let kind = kinds[p + "\u{1F}" + s]
      {
        builder.append(kind)
      } else if case .string(let s) = status.value(at: row) {
        builder.append(s)
      } else {
        builder.appendNull()
      }
    }
    return builder.build()
  }

  static func lostAtColumn(_ deals: Table, history: Table?, stages: Table?) -> Column? {
    guard let history, let ids = deals.column(named: "id"), let idValues = int64s(ids),
      let status = deals.column(named: "status"), let pipeline = deals.column(named: "pipeline"),
      let dealIds = history.column(named: "deal_id"), let dealIdValues = int64s(dealIds),
      let stage = history.column(named: "stage"), let entered = history.column(named: "entered_at"),
      let enteredValues = int64s(entered)
    else { return nil }
    let kinds = kinds(stages)
    // Stages that close a deal: the kinds in stages.csv, else the stages lost or won deals sit in.
    var closing = Set<String>()
    if kinds.isEmpty, let dealStage = deals.column(named: "stage") {
      for row in 0..<deals.rowCount where status.value(at: row) != .string("open") {
        if case .string(let s) = dealStage.value(at: row) { closing.insert(s) }
      }
    }
    var rowOfDeal: [Int64: Int] = [:]
    for row in 0..<deals.rowCount where ids.isValid(row) && status.value(at: row) == .string("lost") {
      rowOfDeal[idValues[row]] = row
    }
    var last: [Int: (at: Int64, stage: String)] = [:]
    for row in 0..<history.rowCount where dealIds.isValid(row) && entered.isValid(row) {
      guard let dealRow = rowOfDeal[dealIdValues[row]], case .string(let name) = stage.value(at: row) else { continue }
      if kinds.isEmpty {
        if closing.contains(name) { continue }
      } else if case .string(let p) = pipeline.value(at: dealRow), kinds[p + "\u{1F}" + name] != "open" {
        continue
      }
      let at = enteredValues[row]
      if let current = last[dealRow], current.at > at { continue }
      last[dealRow] = (at, name)
    }
    var builder = StringColumnBuilder(name: "lost_at", capacity: deals.rowCount)
    for row in 0..<deals.rowCount {
      if let stage = last[row]?.stage { builder.append(stage) } else { builder.appendNull() }
    }
    return builder.build()
  }
}
