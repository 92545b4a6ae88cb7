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
  static func infer(deals: Table, history: Table) -> StageOrder {
    let status = deals.column(named: "status")
    let stage = deals.column(named: "stage")
    let pipeline = deals.column(named: "pipeline")
    let ids = deals.column(named: "id")
    var wonCounts: [String: [String: Int]] = [:]
    var lostStages = Set<String>()
    var pipelinesOf: [Int64: Set<String>] = [:]
    for row in 0..<deals.rowCount {
      guard let p = text(pipeline, row) else { continue }
      if case .int(let id) = ids?.value(at: row) { pipelinesOf[id, default: []].insert(p) }
      switch text(status, row) {
      case "won": if let s = text(stage, row) { wonCounts[p, default: [:]][s, default: 0] += 1 }
      case "lost": if let s = text(stage, row) { lostStages.insert(s) }
      default: break
      }
    }
    let wonStage = wonCounts.compactMapValues { counts in
      counts.max { a, b in a.value != b.value ? a.value < b.value : precedes(b.key, a.key) }?.key
    }
    var byDeal: [Int64: [(at: Int64, stage: String)]] = [:]
    let dealIds = history.column(named: "deal_id")
    let names = history.column(named: "stage")
    let entered = history.column(named: "entered_at")
    for row in 0..<history.rowCount {
      guard case .int(let id) = dealIds?.value(at: row), pipelinesOf[id] != nil, let s = text(names, row),
        !lostStages.contains(s), case .timestamp(let at) = entered?.value(at: row)
      else { continue }
      byDeal[id, default: []].append((at, s))
    }
    var score: [String: [String: (sum: Int64, count: Int64)]] = [:]
    for (id, entries) in byDeal {
      let ordered = entries.sorted { $0.at != $1.at ? $0.at < $1.at : precedes($0.stage, $1.stage) }
      for p in pipelinesOf[id] ?? [] {
        let open = ordered.filter { $0.stage != wonStage[p] }
        let last = Int64(open.count - 1)
        for (k, entry) in open.enumerated() {
          let position = last > 0 ? Int64(k) * 1_000_000 / last : 0
          let old = score[p, default: [:]][entry.stage] ?? (0, 0)
          score[p, default: [:]][entry.stage] = (old.sum + position, old.count + 1)
        }
      }
    }
    var stages: [String: [String]] = [:]
    for (p, entries) in score {
      var ordered = entries.sorted { a, b in
        // a.sum / a.count < b.sum / b.count, without rounding: the products can pass 2^63.
        let left = Int128(a.value.sum) * Int128(b.value.count)
        let right = Int128(b.value.sum) * Int128(a.value.count)
        return left != right ? left < right : precedes(a.key, b.key)
      }.map(\.key)
      if let won = wonStage[p] { ordered.append(won) }
      stages[p] = ordered
    }
    return StageOrder(stages: stages, inferred: true)
  }

  /// Whether `a` orders before `b` by their UTF-8 bytes, as every backend orders names.
  static func precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
  }
}
