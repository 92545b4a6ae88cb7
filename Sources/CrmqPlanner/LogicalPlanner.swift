import CrmqCore
import CrmqSemantics

/// Turns bound statements into logical plans, before any optimisation.
public enum LogicalPlanner {
  /// `tableColumns` gives each table's columns (the scan starts with all; pruning narrows it).
  public static func plan(_ query: BoundQuery, tableColumns: (String) -> [String]) -> LogicalPlan {
    let aggregates = query.sources.map { source -> LogicalPlan in
      var plan = LogicalPlan.scan(Scan(table: source.table, columns: tableColumns(source.table), filters: []))
      if let filter = source.filter {
        plan = .filter(Filter(predicate: filter, input: plan))
      }
      return .aggregate(Aggregate(groups: source.groups, aggregates: source.aggregates, input: plan))
    }
    var plan: LogicalPlan
    if aggregates.count == 1, let only = aggregates.first, query.sources[0].slots == Array(0..<query.sources[0].slots.count) {
      plan = only
    } else {
      plan = .merge(
        Merge(
          inputs: aggregates, slots: query.sources.map(\.slots), fills: query.sources.map(\.fills),
          dimensionCount: query.sources.first?.groups.count ?? 0,
          aggregateCount: query.sources.reduce(0) { $0 + $1.aggregates.count }))
    }
    plan = .project(Project(outputs: query.outputs, input: plan))
    if !query.order.isEmpty {
      let keys = query.order.map { order in
        SortKey(expr: .column(query.outputs[order.output].name, query.outputs[order.output].expr.type), descending: order.descending)
      }
      plan = .sort(Sort(keys: keys, input: plan))
    }
    if let limit = query.limit {
      plan = .limit(Limit(count: limit, input: plan))
    }
    if query.withTotal {
      plan = .total(Total(input: plan))
    }
    return plan
  }

  public static func plan(_ show: BoundShow) -> LogicalPlan {
    var plan = LogicalPlan.scan(Scan(table: show.table, columns: show.columns.map(\.name), filters: []))
    if let filter = show.filter {
      plan = .filter(Filter(predicate: filter, input: plan))
    }
    if !show.order.isEmpty {
      plan = .sort(Sort(keys: show.order.map { SortKey(expr: $0.expr, descending: $0.descending) }, input: plan))
    }
    if let limit = show.limit {
      plan = .limit(Limit(count: limit, input: plan))
    }
    let outputs = show.columns.map { BoundOutput(name: $0.name, expr: .column($0.name, $0.type), role: .field) }
    return .project(Project(outputs: outputs, input: plan))
  }
}
