import CrmqCore
import CrmqSemantics

/// Turns bound statements into logical plans, before any optimisation.
public enum LogicalPlanner {
  /// `tableColumns` gives each table's columns (the scan starts with all; pruning narrows it);
  /// `stageOrders`, when the data has an order of stages (a stages table, or `stages` statements,
  /// whose lists it holds), makes a stage dimension sort in that order (`SortCollation`); `derived`
  /// lists the facts deals has as derived columns, which its scans then name (`Scan.derived`).
  public static func plan(
    _ query: BoundQuery, tableColumns: (String) -> [String], stageOrders: [String: [String]]? = nil,
    derived: [DerivedFact] = []
  ) -> LogicalPlan {
    let aggregates = query.sources.map { source -> LogicalPlan in
      var plan = LogicalPlan.scan(scan(source.table, columns: tableColumns(source.table), derived: derived))
      if let filter = source.filter {
        plan = .filter(Filter(predicate: filter, input: plan))
      }
      return .aggregate(Aggregate(groups: source.groups, aggregates: source.aggregates, input: plan))
    }
    var plan: LogicalPlan
    if aggregates.count == 1, let only = aggregates.first,
      query.sources[0].slots == Array(0..<query.sources[0].slots.count)
    {
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
        SortKey(
          expr: .column(query.outputs[order.output].name, query.outputs[order.output].expr.type),
          descending: order.descending, collation: collation(of: order.output, in: query, stageOrders: stageOrders))
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

  /// A scan of a table's columns, naming those that are derived facts of deals.
  static func scan(_ table: String, columns: [String], derived: [DerivedFact]) -> Scan {
    Scan(
      table: table, columns: columns, filters: [],
      derived: table == "deals" ? derived.filter { columns.contains($0.name) } : [])
  }

  /// How an output sorts: in stage order when it is a stage dimension and the data orders stages.
  static func collation(of output: Int, in query: BoundQuery, stageOrders: [String: [String]]?) -> SortCollation {
    guard let stageOrders, case .groupRef(let index, .string) = query.outputs[output].expr,
      let source = query.sources.first, ["deals", "stage_history"].contains(source.table), index < source.groups.count,
      case .column(let name, .string) = source.groups[index].expr, name == "stage" || name == "lost_at"
    else { return .natural }
    return .stageOrder(overrides: stageOrders)
  }

  /// A query with `compare`: `current` and `previous` are the query bound over each period with
  /// no order, limit or compare; `ordered` is the whole query bound, for its order and limit,
  /// which apply to the joined rows.
  ///
  /// With `with total` and a cut (top, limit), each period's total covers the groups of the rows
  /// kept, so the periods run without one and the totals' plans run after the cut.
  public static func plan(
    compare comparison: ComparisonPlan, current: BoundQuery, previous: BoundQuery, ordered: BoundQuery,
    tableColumns: (String) -> [String], stageOrders: [String: [String]]? = nil, derived: [DerivedFact] = []
  ) -> LogicalPlan {
    let totalsKept = ordered.withTotal && ordered.limit != nil
    func period(_ bound: BoundQuery, total: Bool) -> LogicalPlan {
      var bound = bound
      bound.withTotal = total
      return plan(bound, tableColumns: tableColumns, derived: derived)
    }
    let total: CompareTotal =
      totalsKept
      ? .overKept(current: period(current, total: true), previous: period(previous, total: true))
      : ordered.withTotal ? .eachPeriod : .none
    return .compare(
      Compare(
        current: period(current, total: ordered.withTotal && !totalsKept),
        previous: period(previous, total: ordered.withTotal && !totalsKept), comparison: comparison,
        order: ordered.order.map {
          CompareOrder(
            column: ordered.outputs[$0.output].name, descending: $0.descending,
            collation: collation(of: $0.output, in: ordered, stageOrders: stageOrders))
        },
        limit: ordered.limit, total: total))
  }

  /// A funnel, and with `earlier` the same funnel over the comparison period.
  public static func plan(
    funnel: BoundFunnel, stageOrders: [String: [String]], earlier: BoundFunnel? = nil,
    comparison: ComparisonPlan? = nil,
    derived: [DerivedFact] = []
  ) -> LogicalPlan {
    .funnel(
      FunnelPlan(funnel: funnel, stageOrders: stageOrders, earlier: earlier, comparison: comparison, derived: derived))
  }

  public static func plan(_ show: BoundShow, derived: [DerivedFact] = []) -> LogicalPlan {
    // The columns shown, then those the filter and the order read (`show deals columns name`).
    var read = show.columns.map(\.name)
    let used = (show.filter?.columns ?? []).union(show.order.flatMap(\.expr.columns))
    for name in used.sorted() where !read.contains(name) { read.append(name) }
    var plan = LogicalPlan.scan(scan(show.table, columns: read, derived: derived))
    if let filter = show.filter {
      plan = .filter(Filter(predicate: filter, input: plan))
    }
    // The order asked, then every column from left to right: the order is total, so every backend
    // lists the rows alike (rows equal in every column are alike in any order).
    var keys = show.order.map { SortKey(expr: $0.expr, descending: $0.descending) }
    for column in show.columns
    where !keys.contains(where: { if case .column(column.name, _) = $0.expr { return true } else { return false } }) {
      keys.append(SortKey(expr: .column(column.name, column.type), descending: false))
    }
    plan = .sort(Sort(keys: keys, input: plan))
    if let limit = show.limit {
      plan = .limit(Limit(count: limit, input: plan))
    }
    let outputs = show.columns.map { BoundOutput(name: $0.name, expr: .column($0.name, $0.type), role: .field) }
    return .project(Project(outputs: outputs, input: plan))
  }
}
