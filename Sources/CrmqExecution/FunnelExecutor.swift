import CrmqCore
import CrmqSemantics
import CrmqStorage

/// Counts deals per pipeline stage.
///
/// Conversion funnel (the default): a deal counts at every stage up to the furthest it reached —
/// the highest-ordered stage in its history, or without history its current stage (a won deal
/// reaches every stage; a lost deal without history counts at the first stage only).
/// Classic funnel: a deal counts at a stage only if its history has that stage; `skipped` counts
/// the deals that reached a later stage without entering this one.
public struct FunnelExecutor {
  let catalog: Catalog

  public init(catalog: Catalog) {
    self.catalog = catalog
  }

  /// `overrides` are stage orders set in the session (`stages …`), by pipeline.
  public func run(_ funnel: BoundFunnel, overrides: [String: [String]] = [:]) throws -> ResultTable {
    guard let deals = catalog.table(named: "deals") else { throw ExecutionError.missingTable("deals") }
    var resolved = StageOrder.resolve(catalog)
    if !overrides.isEmpty {
      var merged = resolved ?? StageOrder(stages: [:], inferred: false)
      for (pipeline, stages) in overrides { merged.stages[pipeline] = stages }
      resolved = merged
    }
    guard let order = resolved, !order.stages.isEmpty else {
      throw FunnelError.noStageOrder
    }
    let (selection, _) = try TableScan(table: deals, filters: funnel.filter.map { [$0] } ?? []).run()
    let grouper = try HashAggregateOperator(groups: funnel.groups, aggregates: [], table: deals)
    let grouping = grouper.grouping(selection)
    let history = catalog.table(named: "stage_history")
    let pipeline = deals.column(named: "pipeline")
    let stage = deals.column(named: "stage")
    let status = deals.column(named: "status")
    let ids = deals.column(named: "id")

    // The stages each selected deal entered, from history.
    var selectedIds: [Int64: Int] = [:]
    selection.forEachRow { row in
      if case .int(let id) = ids?.value(at: row) { selectedIds[id] = row }
    }
    var entered: [Int: Set<String>] = [:]
    if let history, let dealIds = history.column(named: "deal_id"), let names = history.column(named: "stage") {
      for row in 0..<history.rowCount {
        guard case .int(let id) = dealIds.value(at: row), let dealRow = selectedIds[id],
          case .string(let name) = names.value(at: row)
        else { continue }
        entered[dealRow, default: []].insert(name)
      }
    }

    // Counts per (group, pipeline, stage index).
    struct Key: Hashable {
      var group: Int32
      var pipeline: String
    }
    var reached: [Key: [Int64]] = [:]
    var skipped: [Key: [Int64]] = [:]
    var lostWithoutHistory = 0
    var index = 0
    selection.forEachRow { row in
      defer { index += 1 }
      guard case .string(let p) = pipeline?.value(at: row), let stages = order.stages[p], !stages.isEmpty else { return }
      let key = Key(group: grouping.gids[index], pipeline: p)
      var counts = reached[key] ?? Array(repeating: 0, count: stages.count)
      var skips = skipped[key] ?? Array(repeating: 0, count: stages.count)
      let visited = entered[row]
      if funnel.classic {
        let visitedIndices = stages.indices.filter { visited?.contains(stages[$0]) == true }
        let furthest = visitedIndices.max() ?? -1
        for i in stages.indices {
          if visited?.contains(stages[i]) == true { counts[i] += 1 } else if i < furthest { skips[i] += 1 }
        }
      } else {
        var furthest = -1
        if let visited {
          furthest = stages.indices.filter { visited.contains(stages[$0]) }.max() ?? -1
        }
        if furthest < 0 {
          let current = (stage?.value(at: row)).flatMap { value -> String? in
            if case .string(let s) = value { return s }
            return nil
          }
          switch status?.value(at: row) {
          case .string("won"): furthest = stages.count - 1
          case .string("lost"):
            furthest = 0
            lostWithoutHistory += 1
          default: furthest = current.flatMap { stages.firstIndex(of: $0) } ?? 0
          }
        }
        for i in 0...furthest { counts[i] += 1 }
      }
      reached[key] = counts
      skipped[key] = skips
    }

    var columns = [ResultColumn(name: "pipeline", type: .string, role: .dimension)]
    columns += funnel.groups.map { ResultColumn(name: $0.name, type: $0.expr.type, role: .dimension) }
    columns += [
      ResultColumn(name: "stage", type: .string, role: .dimension),
      ResultColumn(name: "deals", type: .int, role: .measure),
      ResultColumn(name: "step_conversion", type: .ratio, role: .measure),
      ResultColumn(name: "total_conversion", type: .ratio, role: .measure),
    ]
    if funnel.classic { columns.append(ResultColumn(name: "skipped", type: .int, role: .measure)) }
    var rows: [(sort: [Value], row: [Value])] = []
    for (key, counts) in reached {
      guard let stages = order.stages[key.pipeline] else { continue }
      let dims = grouping.decode(Int(key.group))
      for (i, name) in stages.enumerated() {
        let step: Value = i == 0 || counts[i - 1] == 0 ? .null : .double(Double(counts[i]) / Double(counts[i - 1]))
        let total: Value = counts[0] == 0 ? .null : .double(Double(counts[i]) / Double(counts[0]))
        var row: [Value] = [.string(key.pipeline)] + dims + [.string(name), .int(counts[i]), step, total]
        if funnel.classic { row.append(.int(skipped[key]?[i] ?? 0)) }
        rows.append((sort: [.string(key.pipeline)] + dims + [.int(Int64(i))], row: row))
      }
    }
    rows.sort { a, b in
      for (x, y) in zip(a.sort, b.sort) {
        let c = Value.compare(x, y)
        if c != 0 { return c < 0 }
      }
      return false
    }
    var notes = funnel.notes
    if order.inferred { notes.append("stage order inferred from stage_history") }
    if !overrides.isEmpty { notes.append("stage order of \(overrides.keys.sorted().joined(separator: ", ")) set by 'stages'") }
    if lostWithoutHistory > 0 {
      notes.append("\(lostWithoutHistory) lost deals have no stage history and count at the first stage only")
    }
    var result = ResultTable(columns: columns, rows: rows.map(\.row), notes: notes)
    result.barColumn = columns.firstIndex { $0.name == "deals" }
    return result
  }
}

/// Why a funnel cannot be drawn.
public enum FunnelError: Error {
  case noStageOrder
}
