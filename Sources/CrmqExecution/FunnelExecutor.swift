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
    guard case .dictionary(let pipelineCodes, let pipelines)? = deals.column(named: "pipeline")?.data,
      case .dictionary(let stageCodes, let dealStages)? = deals.column(named: "stage")?.data,
      case .dictionary(let statusCodes, let statuses)? = deals.column(named: "status")?.data
    else { throw ExecutionError.missingColumn("pipeline, stage or status", "deals") }
    let won = statuses.code(of: "won") ?? UInt32.max
    let lost = statuses.code(of: "lost") ?? UInt32.max

    // Per pipeline code: its stages, and the stage index of each stage code (deals' and history's).
    let stagesOf: [[String]?] = (0..<pipelines.count).map { $0 == 0 ? nil : order.stages[pipelines.string(at: $0)] }
    func indexTable(_ dictionary: StringDictionary) -> [[Int]] {
      let names = (0..<dictionary.count).map { $0 == 0 ? "" : dictionary.string(at: $0) }
      return stagesOf.map { stages in
        guard let stages else { return Array(repeating: -1, count: names.count) }
        return names.map { stages.firstIndex(of: $0) ?? -1 }
      }
    }
    let dealStageIndex = indexTable(dealStages)
    var historyStageIndex: [[Int]] = []
    var historyCodes = ContiguousArray<UInt32>()
    let index = catalog.history
    if let history = catalog.table(named: "stage_history"), case .dictionary(let codes, let names)? = history.column(named: "stage")?.data {
      historyCodes = codes
      historyStageIndex = indexTable(names)
    }

    // Counts per (group, pipeline code) and stage index, in flat arrays: slot `key * width + i`
    // for key = group × pipelines + pipeline code. A deal's visited stages are a bitmask (with
    // more than 64 stages in a pipeline, a list of flags cleared after each deal).
    let pipelineCount = max(1, pipelines.count)
    let width = max(1, stagesOf.map { $0?.count ?? 0 }.max() ?? 1)
    let keyCount = max(1, grouping.groupCount) * pipelineCount
    var reached = [Int64](repeating: 0, count: keyCount * width)
    var skipped = [Int64](repeating: 0, count: funnel.classic ? keyCount * width : 0)
    var seen = [Bool](repeating: false, count: keyCount)
    var flags = [Bool](repeating: false, count: width > 64 ? width : 0)
    var lostWithoutHistory = 0
    var position = 0
    selection.forEachRow { row in
      defer { position += 1 }
      let p = Int(pipelineCodes[row])
      guard let stages = stagesOf[p], !stages.isEmpty else { return }
      let key = Int(grouping.gids[position]) * pipelineCount + p
      seen[key] = true
      let base = key * width
      var mask: UInt64 = 0
      var furthest = -1
      if let index, !historyStageIndex.isEmpty {
        let table = historyStageIndex[p]
        index.forEach(deal: row) { historyRow in
          let stage = table[Int(historyCodes[historyRow])]
          if stage >= 0 {
            if stage < 64 { mask |= 1 << UInt64(stage) } else { flags[stage] = true }
            furthest = max(furthest, stage)
          }
        }
      }
      if funnel.classic {
        for i in stages.indices {
          if i < 64 ? mask & (1 << UInt64(i)) != 0 : flags[i] {
            reached[base + i] += 1
          } else if i < furthest {
            skipped[base + i] += 1
          }
        }
      } else {
        if furthest < 0 {
          if statusCodes[row] == won {
            furthest = stages.count - 1
          } else if statusCodes[row] == lost {
            furthest = 0
            lostWithoutHistory += 1
          } else {
            furthest = max(0, dealStageIndex[p][Int(stageCodes[row])])
          }
        }
        for i in 0...furthest { reached[base + i] += 1 }
      }
      if width > 64 { for i in 64..<width { flags[i] = false } }
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
    for key in 0..<keyCount where seen[key] {
      let pipelineName = pipelines.string(at: key % pipelineCount)
      guard let stages = order.stages[pipelineName] else { continue }
      let dims = grouping.decode(key / pipelineCount)
      let counts = reached[(key * width)..<(key * width + stages.count)].map { $0 }
      for (i, name) in stages.enumerated() {
        let step: Value = i == 0 || counts[i - 1] == 0 ? .null : .double(Double(counts[i]) / Double(counts[i - 1]))
        let total: Value = counts[0] == 0 ? .null : .double(Double(counts[i]) / Double(counts[0]))
        var row: [Value] = [.string(pipelineName)] + dims + [.string(name), .int(counts[i]), step, total]
        if funnel.classic { row.append(.int(skipped[key * width + i])) }
        rows.append((sort: [.string(pipelineName)] + dims + [.int(Int64(i))], row: row))
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
