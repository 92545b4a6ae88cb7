import CrmqCore
import CrmqStorage

/// The order of each pipeline's stages: its open stages, then its won stage.
///
/// From stages.csv when loaded (stage_order, kind); otherwise inferred from stage_history — the
/// order in which deals typically enter stages (mean position within each deal's history; exact,
/// see `infer`) — with won and lost stages recognised as the stages won and lost deals sit in.
public struct StageOrder: Sendable {
  public var stages: [String: [String]]
  public var inferred: Bool

  public static func resolve(_ catalog: Catalog) -> StageOrder? {
    if let stages = catalog.table(named: "stages"), let order = fromStages(stages) { return order }
    if let deals = catalog.table(named: "deals"), let history = catalog.table(named: "stage_history") {
      return infer(deals: deals, history: history)
    }
    return nil
  }

  static func text(_ column: Column?, _ row: Int) -> String? {
    if case .string(let s) = column?.value(at: row) { return s }
    return nil
  }

  static func fromStages(_ table: Table) -> StageOrder? {
    guard let pipeline = table.column(named: "pipeline"), let stage = table.column(named: "stage"),
      let order = table.column(named: "stage_order"), let kind = table.column(named: "kind")
    else { return nil }
    var entries: [String: [(Int64, String)]] = [:]
    for row in 0..<table.rowCount {
      guard let p = text(pipeline, row), let s = text(stage, row), let k = text(kind, row), k != "lost",
        case .int(let position) = order.value(at: row)
      else { continue }
      entries[p, default: []].append((position, s))
    }
    return StageOrder(stages: entries.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }, inferred: false)
  }

  /// Each pipeline's stage order as deals entered the stages, by a rule every backend computes
  /// exactly (the compiled SQL's `ord` for data without stages follows it step by step):
  /// - a pipeline's won stage: the stage most of its won deals sit in (of equal counts, the least
  ///   name by bytes); lost stages: every stage a lost deal sits in, in any pipeline;
  /// - for each deal id and pipeline a deal with that id is in, its history's entries into the
  ///   other stages, ordered by time, then stage name by bytes: entry k of n is at position
  ///   ⌊k × 1 000 000 ÷ (n − 1)⌋ (0 when n is 1), millionths of the way through the history;
  /// - a stage's score is the mean of its positions, compared exactly (as integer fractions); the
  ///   open stages by score, equal scores by name by bytes, then the won stage.
  /// Only pipelines whose history enters an open stage get an order.
  ///
  /// Over dictionary codes and typed buffers: one pass over the deals, one over the history, a
  /// small sort per deal (at 1M deals it took 8.9 s per funnel when it read boxed values).
  static func infer(deals: Table, history: Table) -> StageOrder {
    guard case .int64(let ids)? = deals.column(named: "id")?.data,
      case .dictionary(let pipelineCodes, let pipelines)? = deals.column(named: "pipeline")?.data,
      case .dictionary(let stageCodes, let dealStages)? = deals.column(named: "stage")?.data,
      case .dictionary(let statusCodes, let statuses)? = deals.column(named: "status")?.data,
      case .int64(let historyIds)? = history.column(named: "deal_id")?.data,
      case .dictionary(let historyStages, let names)? = history.column(named: "stage")?.data,
      case .int64(let entered)? = history.column(named: "entered_at")?.data
    else { return StageOrder(stages: [:], inferred: true) }
    let idValidity = deals.column(named: "id")?.validity
    let historyIdValidity = history.column(named: "deal_id")?.validity
    let enteredValidity = history.column(named: "entered_at")?.validity
    let (pipelineCount, stageCount, nameCount) = (pipelines.count, dealStages.count, names.count)
    let won = statuses.code(of: "won") ?? UInt32.max
    let lost = statuses.code(of: "lost") ?? UInt32.max

    // Won deals per (pipeline, stage), lost stages by name, and each deal id's pipelines.
    var wonCounts = [Int](repeating: 0, count: pipelineCount * stageCount)
    var lostNames = Set<String>()
    var lostSeen = [Bool](repeating: false, count: stageCount)
    // Deal id → its group: an array over the id range when ids are dense (CRMs number deals),
    // else a hash.
    let range = DenseIDRange(ids, rows: deals.rowCount) { Column.isValid($0, in: idValidity) }
    var dense = [Int32](repeating: -1, count: range?.count ?? 0)
    var sparse: [Int64: Int32] = [:]
    func groupOf(_ id: Int64) -> Int32? {
      if let range {
        guard let slot = range.slot(id), dense[slot] >= 0 else { return nil }
        return dense[slot]
      }
      return sparse[id]
    }
    var groupPipelines: [[UInt32]] = []
    for row in 0..<deals.rowCount {
      let p = Int(pipelineCodes[row])
      guard p != 0 else { continue }
      let stage = Int(stageCodes[row])
      if stage != 0 && statusCodes[row] == won { wonCounts[p * stageCount + stage] += 1 }
      if stage != 0 && statusCodes[row] == lost && !lostSeen[stage] {
        lostSeen[stage] = true
        lostNames.insert(dealStages.string(at: stage))
      }
      guard Column.isValid(row, in: idValidity) else { continue }
      if let g = groupOf(ids[row]) {
        if !groupPipelines[Int(g)].contains(UInt32(p)) { groupPipelines[Int(g)].append(UInt32(p)) }
      } else {
        let g = Int32(groupPipelines.count)
        if let range, let slot = range.slot(ids[row]) { dense[slot] = g } else { sparse[ids[row]] = g }
        groupPipelines.append([UInt32(p)])
      }
    }
    // Each pipeline's won stage (most won deals, then the least name by bytes), as a history code.
    var wonName = [String?](repeating: nil, count: pipelineCount)
    var wonCode = [Int](repeating: -1, count: pipelineCount)
    for p in 1..<max(1, pipelineCount) {
      var best: (count: Int, name: String)?
      for stage in 1..<max(1, stageCount) where wonCounts[p * stageCount + stage] > 0 {
        let count = wonCounts[p * stageCount + stage]
        let name = dealStages.string(at: stage)
        if let kept = best, count < kept.count || (count == kept.count && !precedes(name, kept.name)) { continue }
        best = (count, name)
      }
      wonName[p] = best?.name
      if let name = best?.name, let code = names.code(of: name) { wonCode[p] = Int(code) }
    }
    let isLost = (0..<nameCount).map { $0 != 0 && lostNames.contains(names.string(at: $0)) }
    // Each history name's place in byte order, for entries of the same second.
    let rank = names.byteOrderRanks

    // The history entries that count, grouped by deal id (counting sort by group).
    var entryGroup = [Int32](repeating: -1, count: history.rowCount)
    var starts = [Int](repeating: 0, count: groupPipelines.count + 1)
    for row in 0..<history.rowCount
    where historyStages[row] != 0 && !isLost[Int(historyStages[row])]
      && Column.isValid(row, in: historyIdValidity) && Column.isValid(row, in: enteredValidity)
    {
      guard let g = groupOf(historyIds[row]) else { continue }
      entryGroup[row] = g
      starts[Int(g) + 1] += 1
    }
    for g in 0..<groupPipelines.count { starts[g + 1] += starts[g] }
    var next = starts
    var entries = [Int32](repeating: 0, count: starts[groupPipelines.count])
    for row in 0..<history.rowCount where entryGroup[row] >= 0 {
      let g = Int(entryGroup[row])
      entries[next[g]] = Int32(row)
      next[g] += 1
    }

    // Positions summed per (pipeline, stage), exactly.
    var sums = [Int64](repeating: 0, count: pipelineCount * nameCount)
    var counts = [Int64](repeating: 0, count: pipelineCount * nameCount)
    var ordered: [Int32] = []
    for g in 0..<groupPipelines.count where starts[g + 1] > starts[g] {
      ordered.removeAll(keepingCapacity: true)
      ordered.append(contentsOf: entries[starts[g]..<starts[g + 1]])
      ordered.sort { a, b in
        let (x, y) = (Int(a), Int(b))
        if entered[x] != entered[y] { return entered[x] < entered[y] }
        return rank[Int(historyStages[x])] < rank[Int(historyStages[y])]
      }
      for p in groupPipelines[g] {
        let skip = wonCode[Int(p)]
        let n = Int64(ordered.reduce(0) { $0 + (Int(historyStages[Int($1)]) == skip ? 0 : 1) })
        var k: Int64 = 0
        for entry in ordered {
          let code = Int(historyStages[Int(entry)])
          guard code != skip else { continue }
          let slot = Int(p) * nameCount + code
          sums[slot] += n > 1 ? k * 1_000_000 / (n - 1) : 0
          counts[slot] += 1
          k += 1
        }
      }
    }

    var stages: [String: [String]] = [:]
    for p in 1..<max(1, pipelineCount) {
      let open = (1..<max(1, nameCount)).filter { counts[p * nameCount + $0] > 0 }
      guard !open.isEmpty else { continue }
      var list = open.sorted { a, b in
        // sum(a) / count(a) < sum(b) / count(b), without rounding: the products can pass 2^63.
        let left = Int128(sums[p * nameCount + a]) * Int128(counts[p * nameCount + b])
        let right = Int128(sums[p * nameCount + b]) * Int128(counts[p * nameCount + a])
        return left != right ? left < right : rank[a] < rank[b]
      }.map { names.string(at: $0) }
      if let name = wonName[p] { list.append(name) }
      stages[pipelines.string(at: p)] = list
    }
    return StageOrder(stages: stages, inferred: true)
  }

  /// Whether `a` orders before `b` by their UTF-8 bytes, as every backend orders names.
  static func precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
  }
}
