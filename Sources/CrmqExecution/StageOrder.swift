import CrmqCore
import CrmqStorage

/// The order of each pipeline's stages: its open stages, then its won stage.
///
/// From stages.csv when loaded (stage_order, kind); otherwise inferred from stage_history — the
/// order in which deals typically enter stages (mean position within each deal's history) — with
/// won and lost stages recognised as the stages won and lost deals sit in.
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

  static func infer(deals: Table, history: Table) -> StageOrder {
    let status = deals.column(named: "status")
    let stage = deals.column(named: "stage")
    let pipeline = deals.column(named: "pipeline")
    let ids = deals.column(named: "id")
    var wonStage: [String: String] = [:]
    var lostStages = Set<String>()
    var pipelineOf: [Int64: String] = [:]
    for row in 0..<deals.rowCount {
      guard let p = text(pipeline, row) else { continue }
      if case .int(let id) = ids?.value(at: row) { pipelineOf[id] = p }
      switch text(status, row) {
      case "won": if let s = text(stage, row) { wonStage[p] = s }
      case "lost": if let s = text(stage, row) { lostStages.insert(s) }
      default: break
      }
    }
    // Each deal's stages in the order entered; a stage's score is its mean relative position.
    var byDeal: [Int64: [(Int64, String)]] = [:]
    let dealIds = history.column(named: "deal_id")
    let names = history.column(named: "stage")
    let entered = history.column(named: "entered_at")
    for row in 0..<history.rowCount {
      guard case .int(let id) = dealIds?.value(at: row), let s = text(names, row),
        case .timestamp(let at) = entered?.value(at: row)
      else { continue }
      byDeal[id, default: []].append((at, s))
    }
    var score: [String: [String: (sum: Double, count: Int)]] = [:]
    for (id, entries) in byDeal {
      guard let p = pipelineOf[id] else { continue }
      let open = entries.sorted { $0.0 < $1.0 }.map(\.1).filter { !lostStages.contains($0) && $0 != wonStage[p] }
      for (index, s) in open.enumerated() {
        let position = open.count > 1 ? Double(index) / Double(open.count - 1) : 0
        let old = score[p, default: [:]][s] ?? (0, 0)
        score[p, default: [:]][s] = (old.sum + position, old.count + 1)
      }
    }
    var stages: [String: [String]] = [:]
    for (p, entries) in score {
      var ordered = entries.sorted { ($0.value.sum / Double($0.value.count), $0.key) < ($1.value.sum / Double($1.value.count), $1.key) }.map(\.key)
      if let won = wonStage[p] { ordered.append(won) }
      stages[p] = ordered
    }
    return StageOrder(stages: stages, inferred: true)
  }
}
