import CrmqCore
import CrmqPlanner
import CrmqStorage

/// Where each stage sorts when a stage dimension sorts in stage order (`SortCollation.stageOrder`):
/// open stages by their place in their pipeline, then the won ones, then the lost ones.
///
/// A pipeline's order is its rows of the stages table with a pipeline and a stage, by stage_order
/// (none last) then name, numbered from 0; a row counts when it has a stage_order or its kind is
/// won or lost. Its rank is `kind × 1 000 000 + number` (kind: 0 open or other, 1 won, 2 lost),
/// and a stage's rank the least over its rows. A `stages` statement's list replaces a pipeline's
/// rows: its stages ranked 0, 1, … as open ones. The SQL compiler writes the same rule
/// (`SQLCompiler.stageRank(of:overrides:)`).
struct StageRanks {
  static let kindStep = 1_000_000
  let ranks: [String: Int]

  init(catalog: Catalog, overrides: [String: [String]]) {
    var byPipeline: [String: [(order: Int64?, stage: String, kind: Int)]] = [:]
    if let stages = catalog.table(named: "stages"), let pipeline = stages.column(named: "pipeline"),
      let stage = stages.column(named: "stage"), let order = stages.column(named: "stage_order")
    {
      let kinds = stages.column(named: "kind")
      for row in 0..<stages.rowCount {
        guard case .string(let p) = pipeline.value(at: row), overrides[p] == nil,
          case .string(let s) = stage.value(at: row)
        else { continue }
        let kind = StageRanks.kind(kinds?.value(at: row).string)
        let o = order.value(at: row).int
        guard o != nil || kind > 0 else { continue }
        byPipeline[p, default: []].append((o, s, kind))
      }
    }
    var ranks: [String: Int] = [:]
    func place(_ stage: String, _ rank: Int) { ranks[stage] = min(ranks[stage] ?? rank, rank) }
    for (_, rows) in byPipeline {
      let sorted = rows.sorted { a, b in
        if a.order != b.order {
          guard let x = a.order else { return false }
          guard let y = b.order else { return true }
          return x < y
        }
        return Value.compare(.string(a.stage), .string(b.stage)) < 0
      }
      for (index, row) in sorted.enumerated() { place(row.stage, row.kind * StageRanks.kindStep + index) }
    }
    for (_, list) in overrides {
      for (index, stage) in list.enumerated() { place(stage, index) }
    }
    self.ranks = ranks
  }

  /// 1 for won, 2 for lost, 0 for open or anything else.
  static func kind(_ text: String?) -> Int {
    switch text {
    case "won": return 1
    case "lost": return 2
    default: return 0
    }
  }

  /// Before (< 0), after (> 0) or tied (0).
  ///
  /// Nulls last; then ranked stages by rank, the others after them whichever the direction; then
  /// by name. `descending` reverses ranks and names.
  func compare(_ x: Value, _ y: Value, descending: Bool) -> Int {
    if x.isNull != y.isNull { return x.isNull ? 1 : -1 }
    let rx = x.string.flatMap { ranks[$0] }
    let ry = y.string.flatMap { ranks[$0] }
    if let rx, let ry, rx != ry { return (rx < ry) != descending ? -1 : 1 }
    if (rx == nil) != (ry == nil) { return rx == nil ? 1 : -1 }
    let c = Value.compare(x, y)
    return descending ? -c : c
  }
}

/// One sort key's comparison of two values: nulls last, then the key's collation and direction.
struct KeyComparison {
  let descending: Bool
  let ranks: StageRanks?

  init(descending: Bool, collation: SortCollation, catalog: Catalog) {
    self.descending = descending
    if case .stageOrder(let overrides) = collation {
      ranks = StageRanks(catalog: catalog, overrides: overrides)
    } else {
      ranks = nil
    }
  }

  /// Before (< 0), after (> 0) or tied (0).
  func compare(_ x: Value, _ y: Value) -> Int {
    if let ranks { return ranks.compare(x, y, descending: descending) }
    if x.isNull != y.isNull { return x.isNull ? 1 : -1 }
    let c = Value.compare(x, y)
    return descending ? -c : c
  }
}
