import CrmqCore
import CrmqPlanner
import CrmqSemantics
import CrmqStorage

/// How the in-memory engine runs a logical plan: each operator with its kernels and strategy,
/// chosen once by `PhysicalPlanner`. The executor runs this tree and `explain` prints it
/// (`description`), so what `explain` says is what runs.
indirect enum PhysicalPlan {
  /// The rows of a table that pass the scan's filters: compiled kernels, chunks ruled out or
  /// taken whole by their min/max, a large table in two halves on two cores.
  case tableScan(TableScan)
  /// The rows of the selection below that pass a predicate.
  case rowFilter(RowFilter, predicate: BoundExpr, input: PhysicalPlan)
  /// The selection below grouped (each key's strategy chosen for its column) and aggregated.
  case hashAggregate(HashAggregateOperator, Aggregate, input: PhysicalPlan)
  /// Output columns computed from the rows below (or read from the selection's table).
  case project([BoundOutput], input: PhysicalPlan)
  /// The rows below in the keys' order, with `limit` only the first of them.
  case sort([SortKey], limit: Int?, way: SortWay, input: PhysicalPlan)
  /// `top N` of the groups of an aggregate, ranked by the measures it sorts on: only the groups
  /// kept (and those compared on a key when measures tie) have their keys decoded. Its input is
  /// always a `project` over a `hashAggregate`, which it runs itself.
  case rankedTopN(TopN, input: PhysicalPlan)
  /// The first rows below.
  case limit(Int, input: PhysicalPlan)
  /// The rows below with a total row: a second aggregate pass over the groups kept. `node` keeps
  /// the logical shape under it (one aggregate, or a merge of several).
  case total(Total, input: PhysicalPlan)
  /// Aggregates of several tables joined on their keys (a full outer join).
  case hashJoin(Merge, inputs: [PhysicalPlan])
  /// Both periods run, joined on the dimensions, ordered and cut; `totals`, when the plan totals
  /// the groups kept, the two periods' total plans.
  case compareJoin(
    Compare, current: PhysicalPlan, previous: PhysicalPlan, totals: (current: PhysicalPlan, previous: PhysicalPlan)?)
  /// A funnel counted in one pass over the deals, with the stage order resolved once.
  case funnelCount(FunnelPlan, order: StageOrder?, deals: Int)

  /// How a sort orders its input.
  enum SortWay {
    /// Result rows (grouped, or projected) sorted in memory, stably.
    case rows
    /// Row numbers of a table: with a limit and a numeric first key, the best rows kept by a
    /// bounded insertion over that column without sorting the rest.
    case selectionHeap(Column)
    /// Row numbers of a table, sorted by the first key, ties by the further keys.
    case selection
  }

  /// The operators below this one, in order.
  var children: [PhysicalPlan] {
    switch self {
    case .tableScan, .funnelCount: return []
    case .rowFilter(_, _, let input), .hashAggregate(_, _, let input), .project(_, let input),
      .sort(_, _, _, let input), .rankedTopN(_, let input), .limit(_, let input), .total(_, let input):
      return [input]
    case .hashJoin(_, let inputs): return inputs
    case .compareJoin(_, let current, let previous, let totals):
      return [current, previous] + (totals.map { [$0.current, $0.previous] } ?? [])
    }
  }

  /// Whether the operator hands rows of a table up (a `Selection`) rather than result rows.
  var yieldsSelection: Bool {
    switch self {
    case .tableScan, .rowFilter: return true
    case .limit(_, let input), .sort(_, _, _, let input): return input.yieldsSelection
    default: return false
    }
  }
}

extension PhysicalPlan: CustomStringConvertible {
  /// The tree, one operator a line, as `explain` prints it under "physical plan".
  var description: String { lines(indent: 0).joined(separator: "\n") }

  func lines(indent: Int) -> [String] {
    [String(repeating: "  ", count: indent) + header] + children.flatMap { $0.lines(indent: indent + 1) }
  }

  var header: String {
    switch self {
    case .tableScan(let scan):
      let table = scan.table
      var text = "TableScan: \(table.name) rows=\(table.rowCount) chunks=\(table.chunkCount)"
      if let filter = scan.filter {
        var (skip, whole) = (0, 0)
        for chunk in 0..<table.chunkCount {
          switch filter.decide(chunk: chunk) {
          case .skip: skip += 1
          case .all: whole += 1
          case .check: break
          }
        }
        text += " min/max: \(skip) skipped, \(whole) taken whole; kernels: \(filter.kernel)"
        if table.chunkCount >= Workers.threshold(TableScan.parallelChunks) {
          text += "; parts of \(TableScan.morselChunks) chunks over the workers"
        }
      }
      return text
    case .rowFilter(let filter, let predicate, _):
      return "RowFilter: \(predicate); kernels: \(filter.kernel)"
    case .hashAggregate(let op, _, _):
      var text = "HashAggregate: \(op.strategy)"
      if op.splitsAcrossCores {
        let rows = NumberFormat.integer(Int64(Workers.threshold(HashAggregateOperator.parallelRows)), grouped: true)
        text += "; a part per worker when \(rows) rows or more are selected"
      }
      return text
    case .project(let outputs, _):
      return "Project: \(outputs.count) columns"
    case .sort(let keys, let limit, let way, _):
      let by = keys.map(\.description).joined(separator: ", ")
      guard let limit else { return "Sort: stable, nulls last, by " + by }
      var text = "TopN: \(limit), nulls last, by " + by
      if case .selectionHeap(let column) = way { text += "; the best rows kept by \(column.name), the rest not sorted" }
      return text
    case .rankedTopN(let node, _):
      return "TopN: \(node.count), nulls last, by " + node.keys.map(\.description).joined(separator: ", ")
        + "; groups ranked by their measures, keys decoded for those kept"
    case .limit(let count, _):
      return "Limit: \(count)"
    case .total:
      return "Total: second aggregate pass over the groups kept"
    case .hashJoin(let node, _):
      return "HashJoin: full outer join of \(node.inputs.count) aggregates on their keys"
    case .compareJoin(let node, _, _, let totals):
      var text = "CompareJoin: hash join of the two periods on the dimensions, earlier buckets moved; sort, nulls last"
      if let limit = node.limit { text += "; limit \(limit)" }
      if totals != nil { text += "; the totals' plans run over the groups kept" }
      return text
    case .funnelCount(let node, let order, let deals):
      var text = "FunnelCount: one pass over \(deals) deals"
      text += node.funnel.classic ? ", each deal's history as a stage bitmask" : ", each deal at its furthest stage"
      text += ", counts in flat arrays by group, pipeline and stage"
      if deals >= FunnelExecutor.parallelRows { text += ", in two halves on two cores" }
      text +=
        "; stage order: "
        + (order == nil ? "none" : order?.inferred == true ? "inferred from stage_history" : "stages.csv")
      if node.comparison != nil { text += "; then again over the earlier period, joined by stage" }
      return text
    }
  }
}
