import CrmqCore
import CrmqSemantics

/// Turns bound statements into logical plans, before any optimisation.
public enum LogicalPlanner {
  public static func plan(_ query: BoundQuery, tableColumns: [String]) -> LogicalPlan {
    var plan = LogicalPlan.scan(Scan(table: query.table, columns: tableColumns, filters: []))
    if let filter = query.filter {
      plan = .filter(Filter(predicate: filter, input: plan))
    }
    plan = .aggregate(Aggregate(groups: query.groups, aggregates: query.aggregates, input: plan))
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
