import CrmqCore

/// A measure source while the binder collects aggregates into it.
struct SourceBuilder {
  var table: TableSchema
  var anchor: String?
  var aggregates: [BoundAggregate] = []
  var slots: [Int] = []
  var fills: [Value] = []
  var names: [String] = []

  init(table: TableSchema, anchor: String?) {
    self.table = table
    self.anchor = anchor
  }

  /// What a group with no rows in this source shows: 0 for counts and sums, null otherwise.
  static func fill(_ aggregate: BoundAggregate) -> Value {
    var filtered = aggregate
    if filtered.filter == nil { filtered.filter = .literal(.bool(true), .bool) }
    return filtered.emptyValue
  }
}
