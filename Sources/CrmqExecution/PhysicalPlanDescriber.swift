import CrmqCore
import CrmqPlanner
import CrmqSemantics
import CrmqStorage

/// The physical plan `explain` prints: which operator and which kernel each step uses, and what
/// chunk statistics let the scan skip.
public struct PhysicalPlanDescriber {
  let catalog: Catalog

  public init(catalog: Catalog) {
    self.catalog = catalog
  }

  public func describe(_ plan: LogicalPlan) throws -> String {
    try lines(plan, indent: 0).joined(separator: "\n")
  }

  func lines(_ plan: LogicalPlan, indent: Int) throws -> [String] {
    let pad = String(repeating: "  ", count: indent)
    var header: String
    switch plan {
    case .scan(let scan):
      guard let table = catalog.table(named: scan.table) else { throw ExecutionError.missingTable(scan.table) }
      let scanner = try TableScan(table: table, filters: scan.filters)
      header = "TableScan: \(table.name) rows=\(table.rowCount) chunks=\(table.chunkCount)"
      if let filter = scanner.filter {
        var skip = 0
        var whole = 0
        for chunk in 0..<table.chunkCount {
          switch filter.decide(chunk: chunk) {
          case .skip: skip += 1
          case .all: whole += 1
          case .check: break
          }
        }
        header += " min/max: \(skip) skipped, \(whole) taken whole; kernels: \(filter.kernel)"
      }
    case .filter(let node):
      header = "RowFilter: \(node.predicate)"
    case .aggregate(let node):
      guard let tableName = PhysicalPlanDescriber.scanTable(plan), let table = catalog.table(named: tableName) else {
        throw ExecutionError.internalError("aggregate without a scan")
      }
      let op = try HashAggregateOperator(groups: node.groups, aggregates: node.aggregates, table: table)
      header = "HashAggregate: \(op.strategy)"
    case .project(let node):
      header = "Project: \(node.outputs.count) columns"
    case .sort(let node):
      header = "Sort: stable, nulls last, by " + node.keys.map(\.description).joined(separator: ", ")
    case .topN(let node):
      header = "TopN: \(node.count), nulls last, by " + node.keys.map(\.description).joined(separator: ", ")
    case .limit(let node):
      header = "Limit: \(node.count)"
    case .total:
      header = "Total: second aggregate pass over the groups kept"
    case .merge(let node):
      header = "HashJoin: full outer join of \(node.inputs.count) aggregates on their keys"
    case .compare(let node):
      header = "CompareJoin: hash join of the two periods on the dimensions, earlier buckets moved; sort, nulls last"
      if let limit = node.limit { header += "; limit \(limit)" }
      if case .overKept = node.total { header += "; the totals' plans run over the groups kept" }
    case .funnel(let node):
      let deals = catalog.table(named: "deals")
      header = "FunnelCount: one pass over \(deals?.rowCount ?? 0) deals"
      header += node.funnel.classic ? ", each deal's history as a stage bitmask" : ", each deal at its furthest stage"
      header += ", counts in flat arrays by group, pipeline and stage"
      if (deals?.rowCount ?? 0) >= FunnelExecutor.parallelRows { header += ", in two halves on two cores" }
      let order = StageOrder.resolve(catalog)
      header +=
        "; stage order: "
        + (order == nil ? "none" : order?.inferred == true ? "inferred from stage_history" : "stages.csv")
      if node.comparison != nil { header += "; then again over the earlier period, joined by stage" }
    }
    var out = [pad + header]
    for child in plan.children { out += try lines(child, indent: indent + 1) }
    return out
  }

  static func scanTable(_ plan: LogicalPlan) -> String? {
    if case .scan(let scan) = plan { return scan.table }
    return plan.input.flatMap(scanTable)
  }
}
