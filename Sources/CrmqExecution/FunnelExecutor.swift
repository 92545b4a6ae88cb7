import CrmqCore
import CrmqPlanner
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
  /// Asked between chunks of the scan and every 65 536 deals counted: a cancelled funnel throws.
  let cancelled: @Sendable () -> Bool

  public init(catalog: Catalog, cancelled: @escaping @Sendable () -> Bool = { false }) {
    self.catalog = catalog
    self.cancelled = cancelled
  }

  /// Selections of at least this many deals are counted in parts, one per worker.
  static let parallelRows = 1 << 17

  /// `overrides` are stage orders set in the session (`stages …`), by pipeline; `parts` forces
  /// counting in that many parts (1: one pass; by default, by the selection's size and the
  /// workers).
  public func run(_ funnel: BoundFunnel, overrides: [String: [String]] = [:], parts: Int? = nil) throws
    -> ResultTable
  {
    try run(funnel, order: StageOrder.resolve(catalog), overrides: overrides, parts: parts)
  }

  /// The funnel over the stage order already resolved (`StageOrder.resolve`).
  func run(_ funnel: BoundFunnel, order stageOrder: StageOrder?, overrides: [String: [String]], parts: Int? = nil)
    throws -> ResultTable
  {
    guard let deals = catalog.table(named: "deals") else { throw ExecutionError.missingTable("deals") }
    var resolved = stageOrder
    if !overrides.isEmpty {
      var merged = resolved ?? StageOrder(stages: [:], inferred: false)
      for (pipeline, stages) in overrides { merged.stages[pipeline] = stages }
      resolved = merged
    }
    guard let order = resolved, !order.stages.isEmpty else {
      throw FunnelError.noStageOrder
    }
    let (selection, _) = try TableScan(table: deals, filters: funnel.filter.map { [$0] } ?? []).run(
      cancelled: cancelled)
    let grouper = try HashAggregateOperator(groups: funnel.groups, aggregates: [], table: deals)
    let grouping = try grouper.grouping(selection)
    guard case .dictionary(let pipelineCodes, let pipelines)? = deals.column(named: "pipeline")?.data,
      case .dictionary(let stageCodes, let dealStages)? = deals.column(named: "stage")?.data,
      case .dictionary(let statusCodes, let statuses)? = deals.column(named: "status")?.data
    else { throw ExecutionError.missingColumn("pipeline, stage or status", "deals") }
    let won = statuses.code(of: "won") ?? UInt32.max
    let lost = statuses.code(of: "lost") ?? UInt32.max

    // Per pipeline code: its stages, and the stage index of each stage code (deals' and
    // history's), flat: the index of code c in pipeline p at `p * names + c`, -1 for none.
    let stagesOf: [[String]?] = (0..<pipelines.count).map { $0 == 0 ? nil : order.stages[pipelines.string(at: $0)] }
    func indexTable(_ dictionary: StringDictionary) -> (table: [Int], names: Int) {
      let names = (0..<dictionary.count).map { $0 == 0 ? "" : dictionary.string(at: $0) }
      let table = stagesOf.flatMap { stages in
        guard let stages else { return Array(repeating: -1, count: names.count) }
        return names.map { stages.firstIndex(of: $0) ?? -1 }
      }
      return (table, names.count)
    }
    let (dealStageFlat, dealNames) = indexTable(dealStages)
    // Constants, not variables: `tally` below is shared by two threads.
    let historyTable: [Int]
    let historyWidth: Int
    let historyCodes: ContiguousArray<UInt32>
    let index = catalog.history
    if let history = catalog.table(named: "stage_history"),
      case .dictionary(let codes, let names)? = history.column(named: "stage")?.data
    {
      historyCodes = codes
      (historyTable, historyWidth) = indexTable(names)
    } else {
      (historyTable, historyWidth, historyCodes) = ([], 0, [])
    }

    // Counts per (group, pipeline code) and stage index, in flat arrays: slot `key * width + i`
    // for key = group × pipelines + pipeline code. A deal's visited stages are a bitmask (with
    // more than 64 stages in a pipeline, a list of flags cleared after each deal).
    let pipelineCount = max(1, pipelines.count)
    let stageCounts = stagesOf.map { $0?.count ?? 0 }
    let width = max(1, stageCounts.max() ?? 1)
    let keyCount = max(1, grouping.groupCount) * pipelineCount
    let classic = funnel.classic
    let cancelled = self.cancelled
    // The deals of a range of selected positions, counted; a large selection is counted in two
    // halves on two cores and the counts added (each reads only shared, unchanging tables).
    func tally(_ positions: Range<Int>) -> FunnelTally {
      var t = FunnelTally(keys: keyCount, width: width, classic: classic, pipelines: pipelineCount)
      var flags = [Bool](repeating: false, count: width > 64 ? width : 0)
      for position in positions {
        if position & 0xFFFF == 0 && cancelled() {
          t.cancelled = true
          break
        }
        let row = selection.all ? position : Int(selection.rows[position])
        let p = Int(pipelineCodes[row])
        let stageCount = stageCounts[p]
        guard stageCount > 0 else {
          t.unordered[p] += 1
          continue
        }
        let key = Int(grouping.gids[position]) * pipelineCount + p
        t.seen[key] = true
        let base = key * width
        var mask: UInt64 = 0
        var furthest = -1
        if let index, historyWidth > 0 {
          // The deal's history rows read straight from the index (no closure per deal).
          let offset = p * historyWidth
          for entry in index.entries(of: row) {
            let stage = historyTable[offset + Int(historyCodes[Int(index.rows[entry])])]
            if stage >= 0 {
              if stage < 64 { mask |= 1 << UInt64(stage) } else { flags[stage] = true }
              furthest = max(furthest, stage)
            }
          }
        }
        if classic {
          if furthest < 0 { t.withoutHistory += 1 }
          for i in 0..<stageCount {
            if i < 64 ? mask & (1 << UInt64(i)) != 0 : flags[i] {
              t.reached[base + i] += 1
            } else if i < furthest {
              t.skipped[base + i] += 1
            }
          }
        } else {
          if furthest < 0 {
            if statusCodes[row] == won {
              furthest = stageCount - 1
            } else if statusCodes[row] == lost {
              furthest = 0
              t.lostWithoutHistory += 1
            } else {
              furthest = max(0, dealStageFlat[p * dealNames + Int(stageCodes[row])])
            }
          }
          for i in 0...furthest { t.reached[base + i] += 1 }
        }
        if width > 64 { for i in 64..<width { flags[i] = false } }
      }
      return t
    }
    // Counts are integers: parts added in any grouping give the one answer. `tally` reads the
    // selection, the grouping and the tables, all unchanging.
    let count =
      parts
      ?? (Workers.parallel && selection.count >= Workers.threshold(FunnelExecutor.parallelRows) ? Workers.threads : 1)
    let ranges = Workers.morsels(selection.count, parts: count)
    let tallies = try Workers.map(ranges.count) { tally(ranges[$0]) }
    var counted = tallies[0]
    for other in tallies.dropFirst() { counted.add(other) }
    if counted.cancelled { throw CancellationErrorLike() }
    let (reached, skipped, seen, lostWithoutHistory) = (
      counted.reached, counted.skipped, counted.seen, counted.lostWithoutHistory
    )
    // Deals whose pipeline has no stage order: with none counted, the funnel cannot be drawn;
    // else the note says who was left out.
    let unordered = counted.unordered.enumerated().filter { $0.element > 0 }
      .map { (pipeline: $0.offset == 0 ? "" : pipelines.string(at: $0.offset), deals: $0.element) }
    if !unordered.isEmpty && !seen.contains(true) {
      throw FunnelError.pipelinesWithoutOrder(unordered, known: order.stages.keys.sorted())
    }

    let columns = FunnelPlan.columns(funnel)
    var rows: [(sort: [Value], row: [Value])] = []
    for key in 0..<keyCount where seen[key] {
      let pipelineName = pipelines.string(at: key % pipelineCount)
      guard let stages = order.stages[pipelineName] else { continue }
      let dims = grouping.decode(key / pipelineCount)
      let counts = Array(reached[(key * width)..<(key * width + stages.count)])
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
    // The funnel's own notes (its period) are the statement's, which the caller adds.
    var notes: [String] = []
    if order.inferred { notes.append("stage order inferred from stage_history") }
    if !overrides.isEmpty {
      notes.append("stage order of \(overrides.keys.sorted().joined(separator: ", ")) set by 'stages'")
    }
    if !unordered.isEmpty {
      let count = unordered.map(\.deals).reduce(0, +)
      notes.append(
        "\(count) deal\(count == 1 ? "" : "s") left out: no stage order for the pipeline\(unordered.count == 1 ? "" : "s") "
          + unordered.map { "'\($0.pipeline)' (\($0.deals))" }.joined(separator: ", "))
    }
    if counted.withoutHistory > 0 {
      notes.append(
        "\(counted.withoutHistory) deal\(counted.withoutHistory == 1 ? " has" : "s have") no stage history and count at no stage "
          + "(a classic funnel counts the stages each deal entered; the conversion funnel counts them at their current stage)"
      )
    }
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
  /// No stages.csv, no stage history, no `stages` statement.
  case noStageOrder
  /// Stage orders exist, but none for the pipelines of the deals asked about: those pipelines
  /// with their deal counts, and the pipelines that have an order.
  case pipelinesWithoutOrder([(pipeline: String, deals: Int)], known: [String])
}
