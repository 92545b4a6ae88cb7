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
    }
    var out = [pad + header]
    if let input = plan.input { out += try lines(input, indent: indent + 1) }
    if case .merge(let node) = plan {
      for child in node.inputs { out += try lines(child, indent: indent + 1) }
    }
    return out
  }

  static func scanTable(_ plan: LogicalPlan) -> String? {
    if case .scan(let scan) = plan { return scan.table }
    return plan.input.flatMap(scanTable)
  }
}
