import CrmqCore
import CrmqPlanner
import CrmqSemantics
import CrmqStorage

/// Chooses the in-memory engine's operators for an optimised logical plan, once per statement:
/// each scan's kernels and split, each filter's kernel, each aggregate's key strategies, how each
/// sort runs, where `top N` ranks groups instead of sorting rows, the funnel's stage order. The
/// result (`PhysicalPlan`) is what the executor runs and what `explain` prints.
struct PhysicalPlanner {
  let catalog: Catalog

  func plan(_ plan: LogicalPlan) throws -> PhysicalPlan {
    switch plan {
    case .scan(let scan):
      guard let table = catalog.table(named: scan.table) else { throw ExecutionError.missingTable(scan.table) }
      return .tableScan(try TableScan(table: table, filters: scan.filters))
    case .filter(let node):
      let input = try self.plan(node.input)
      let table = try PhysicalPlanner.selected(input, "a filter above an aggregate")
      return .rowFilter(try RowFilter.compile(node.predicate, table: table), predicate: node.predicate, input: input)
    case .aggregate(let node):
      let input = try self.plan(node.input)
      let table = try PhysicalPlanner.selected(input, "an aggregate above an aggregate")
      let op = try HashAggregateOperator(groups: node.groups, aggregates: node.aggregates, table: table)
      return .hashAggregate(op, node, input: input)
    case .project(let node):
      return .project(node.outputs, input: try self.plan(node.input))
    case .sort(let node):
      let input = try self.plan(node.input)
      return .sort(node.keys, limit: nil, way: PhysicalPlanner.way(node.keys, limit: nil, input), input: input)
    case .topN(let node):
      if case .project(let project) = node.input, case .aggregate = project.input,
        node.keys.allSatisfy({ key in
          guard case .column(let name, _) = key.expr else { return false }
          return project.outputs.contains { $0.name == name }
        })
      {
        return .rankedTopN(node, input: try self.plan(node.input))
      }
      let input = try self.plan(node.input)
      return .sort(
        node.keys, limit: node.count, way: PhysicalPlanner.way(node.keys, limit: node.count, input), input: input)
    case .limit(let node):
      return .limit(node.count, input: try self.plan(node.input))
    case .total(let node):
      return .total(node, input: try self.plan(node.input))
    case .merge(let node):
      return .hashJoin(node, inputs: try node.inputs.map { try self.plan($0) })
    case .compare(let node):
      var totals: (current: PhysicalPlan, previous: PhysicalPlan)?
      if case .overKept(let current, let previous) = node.total {
        totals = (try self.plan(current), try self.plan(previous))
      }
      return .compareJoin(
        node, current: try self.plan(node.current), previous: try self.plan(node.previous), totals: totals)
    case .funnel(let node):
      return .funnelCount(
        node, order: StageOrder.resolve(catalog), deals: catalog.table(named: "deals")?.rowCount ?? 0)
    }
  }

  /// The table whose rows `plan` selects; an error naming `what` when it yields result rows.
  static func selected(_ plan: PhysicalPlan, _ what: String) throws -> Table {
    guard plan.yieldsSelection else { throw ExecutionError.internalError(what) }
    switch plan {
    case .tableScan(let scan): return scan.table
    case .rowFilter(_, _, let input), .limit(_, let input), .sort(_, _, _, let input): return try selected(input, what)
    default: throw ExecutionError.internalError(what)
    }
  }

  /// How a sort orders `input`: result rows in memory; a table's rows with a limit and a numeric
  /// first key by a bounded insertion over that column; other table rows by a full sort.
  static func way(_ keys: [SortKey], limit: Int?, _ input: PhysicalPlan) -> PhysicalPlan.SortWay {
    guard input.yieldsSelection, let table = try? selected(input, "") else { return .rows }
    if limit != nil, case .column(let name, _)? = keys.first?.expr, let column = table.column(named: name) {
      switch column.data {
      case .int64, .double: return .selectionHeap(column)
      case .dictionary: break
      }
    }
    return .selection
  }
}
