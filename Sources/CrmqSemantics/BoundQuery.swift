import CrmqCore

public enum AggregateFunction: String, Sendable, Equatable, CaseIterable {
  case count, countDistinct = "count_distinct", sum, avg, min, max, median
}

/// One aggregate computed per group, over the rows that pass its own filter (if any).
public struct BoundAggregate: Sendable, Equatable, CustomStringConvertible {
  public var function: AggregateFunction
  /// nil for `count(*)`.
  public var argument: BoundExpr?
  public var type: DataType
  /// Rows this aggregate alone counts (a built-in measure's condition: `status = 'won'`).
  public var filter: BoundExpr?

  public init(function: AggregateFunction, argument: BoundExpr?, type: DataType, filter: BoundExpr? = nil) {
    self.function = function
    self.argument = argument
    self.type = type
    self.filter = filter
  }

  /// What this aggregate is over no rows: 0 for a count, and for a sum with its own condition
  /// (revenue of a month without wins is 0.00); null otherwise.
  public var emptyValue: Value {
    switch (function, type) {
    case (.count, _), (.countDistinct, _): return .int(0)
    case (.sum, .int) where filter != nil: return .int(0)
    case (.sum, .money) where filter != nil: return .money(0)
    case (.sum, .double) where filter != nil: return .double(0)
    default: return .null
    }
  }

  public var description: String {
    let base: String
    switch function {
    case .count: base = argument.map { "count(\($0))" } ?? "count(*)"
    case .countDistinct: base = "count(distinct \(argument.map(\.description) ?? "*"))"
    default: base = "\(function.rawValue)(\(argument.map(\.description) ?? "*"))"
    }
    return filter.map { base + " filter (\($0))" } ?? base
  }
}

/// A group key: a dimension of the query.
public struct BoundGroup: Sendable, Equatable {
  public var name: String
  public var expr: BoundExpr
  public init(name: String, expr: BoundExpr) {
    self.name = name
    self.expr = expr
  }
}

/// One column of the answer, computed from group keys and aggregates.
public struct BoundOutput: Sendable, Equatable {
  public var name: String
  public var expr: BoundExpr
  public var role: ColumnRole
  /// A built-in measure's unit (`cycle`: days), for tables.
  public var unit: ColumnUnit?
  public init(name: String, expr: BoundExpr, role: ColumnRole, unit: ColumnUnit? = nil) {
    self.name = name
    self.expr = expr
    self.role = role
    self.unit = unit
  }

  /// The result column it becomes.
  public var column: ResultColumn { ResultColumn(name: name, type: expr.type, role: role, unit: unit) }
}

public struct BoundOrder: Sendable, Equatable {
  /// Index into the outputs.
  public var output: Int
  public var descending: Bool
}

/// A `period` with today applied: a half-open day range on one date column.
public struct ResolvedPeriod: Sendable, Equatable {
  public var column: String
  public var columnType: DataType
  /// First day included.
  public var start: Int64
  /// First day after the period.
  public var end: Int64

  /// `2026-09-01 – 2026-09-30 (created_at)`.
  public var description: String {
    "\(CivilDate.format(start)) – \(CivilDate.format(end - 1)) (\(column))"
  }

  /// The filter it stands for, in the column's own units.
  public var predicate: BoundExpr {
    let scale: Int64 = columnType == .timestamp ? CivilDate.secondsPerDay : 1
    let low: Value = columnType == .timestamp ? .timestamp(start * scale) : .date(start)
    let high: Value = columnType == .timestamp ? .timestamp(end * scale) : .date(end)
    let column = BoundExpr.column(self.column, columnType)
    return .and([
      .compare(.greaterEqual, column, .literal(low, columnType)),
      .compare(.less, column, .literal(high, columnType)),
    ])
  }
}

/// The rows one group of measures reads: a table, its filter (the query's `where`, the period
/// on this source's anchor date), the dimensions as this table's expressions, and its aggregates.
///
/// A query whose measures live on different tables or dates (deals by created_at, won by
/// closed_at, spend by date) has one source each; their results are joined on the dimensions.
public struct MeasureSource: Sendable, Equatable {
  public var table: String
  /// The date the period applies to here.
  public var anchor: String?
  public var filter: BoundExpr?
  public var period: ResolvedPeriod?
  /// One per query dimension, in order.
  public var groups: [BoundGroup]
  public var aggregates: [BoundAggregate]
  /// Where each aggregate lands among the query's aggregates (what `aggregateRef` indexes).
  public var slots: [Int]
  /// What a missing group shows for each aggregate after the join (0 for counts and sums).
  public var fills: [Value]
  /// The measure names computed here, for the footer.
  public var measureNames: [String]

  public init(
    table: String, anchor: String?, filter: BoundExpr?, period: ResolvedPeriod?, groups: [BoundGroup],
    aggregates: [BoundAggregate], slots: [Int], fills: [Value], measureNames: [String]
  ) {
    self.table = table
    self.anchor = anchor
    self.filter = filter
    self.period = period
    self.groups = groups
    self.aggregates = aggregates
    self.slots = slots
    self.fills = fills
    self.measureNames = measureNames
  }
}

/// A report, bound: each source grouped by the dimensions, joined, and shaped into `outputs`.
public struct BoundQuery: Sendable, Equatable {
  public var sources: [MeasureSource]
  public var outputs: [BoundOutput]
  public var order: [BoundOrder]
  public var limit: Int?
  public var withTotal: Bool
  public var notes: [String]
  /// The range the period resolved to, for `compare`.
  public var periodRange: (start: Int64, end: Int64)? {
    sources.compactMap(\.period).first.map { ($0.start, $0.end) }
  }

  public static func == (a: BoundQuery, b: BoundQuery) -> Bool {
    a.sources == b.sources && a.outputs == b.outputs && a.order == b.order && a.limit == b.limit
  }
}

/// `show`, bound: the rows of a table, filtered, ordered and cut.
public struct BoundShow: Sendable, Equatable {
  public var table: String
  public var columns: [(name: String, type: DataType)]
  public var filter: BoundExpr?
  public var period: ResolvedPeriod?
  public var order: [(expr: BoundExpr, descending: Bool)]
  public var limit: Int?
  public var notes: [String]

  public static func == (a: BoundShow, b: BoundShow) -> Bool {
    a.table == b.table && a.columns.map(\.name) == b.columns.map(\.name) && a.filter == b.filter
      && a.limit == b.limit && a.order.map(\.expr) == b.order.map(\.expr)
  }
}
