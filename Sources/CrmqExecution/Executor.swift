import CrmqCore
import CrmqPlanner
import CrmqSemantics
import CrmqStorage

/// Runs an optimised logical plan over the catalog and returns the answer: the plan's operators
/// are chosen once (`PhysicalPlanner`), and that physical plan runs.
///
/// Up to the aggregate, work is columnar: a scan yields a `Selection` of row numbers, and filters
/// and the aggregate read column buffers. Above it, the few result rows are materialised.
public struct Executor {
  let catalog: Catalog
  let cancelled: @Sendable () -> Bool

  public init(catalog: Catalog, cancelled: @escaping @Sendable () -> Bool = { false }) {
    self.catalog = catalog
    self.cancelled = cancelled
  }

  enum Intermediate {
    case selection(Table, Selection)
    case rows(RowSet)
  }

  public func run(_ plan: LogicalPlan) throws -> ResultTable {
    try run(try PhysicalPlanner(catalog: catalog).plan(plan))
  }

  /// `totalOver`: when given, a total row covers the groups whose dimension values it accepts
  /// rather than the rows shown (a compared total over the rows kept in the joined result).
  func run(_ plan: PhysicalPlan, totalOver keep: (([Value]) -> Bool)? = nil) throws -> ResultTable {
    if cancelled() { throw CancellationErrorLike() }
    switch plan {
    case .total(let total, let input): return try runTotal(total, input, keep: keep)
    case .compareJoin(let node, let current, let previous, let totals):
      return try runCompare(node, current: current, previous: previous, totals: totals)
    case .funnelCount(let node, let order, _): return try runFunnel(node, order: order)
    default: break
    }
    switch try execute(plan) {
    case .rows(let set):
      return ResultTable(columns: set.columns, rows: set.rows)
    case .selection(let table, let selection):
      let set = try materialize(
        table, selection,
        table.columns.map { BoundOutput(name: $0.name, expr: .column($0.name, $0.type), role: .field) })
      return ResultTable(columns: set.columns, rows: set.rows)
    }
  }

  func execute(_ plan: PhysicalPlan) throws -> Intermediate {
    switch plan {
    case .tableScan(let scan):
      let (selection, _) = try scan.run(cancelled: cancelled)
      return .selection(scan.table, selection)
    case .rowFilter(let filter, _, let input):
      guard case .selection(let table, let selection) = try execute(input) else {
        throw ExecutionError.internalError("a filter above an aggregate")
      }
      var rows = selection.rowList
      let count = rows.withUnsafeMutableBufferPointer { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        return filter.filter(UnsafeBufferPointer(buffer), into: base)
      }
      if let failure = filter.failure { throw failure }
      rows.removeLast(rows.count - count)
      return .selection(table, Selection(all: false, rows: rows, tableRows: table.rowCount))
    case .hashAggregate(let op, let node, let input):
      guard case .selection(_, let selection) = try execute(input) else {
        throw ExecutionError.internalError("an aggregate above an aggregate")
      }
      let output = try op.run(selection)
      let columns =
        node.groups.map { ResultColumn(name: $0.name, type: $0.expr.type, role: .dimension) }
        + node.aggregates.map { ResultColumn(name: $0.description, type: $0.type, role: .measure) }
      return .rows(
        RowSet(columns: columns, rows: output.rows, groupIds: output.groupIds, aggregation: (op, output.grouping)))
    case .project(let outputs, let input):
      switch try execute(input) {
      case .rows(let set):
        return .rows(try project(set, outputs))
      case .selection(let table, let selection):
        return .rows(try materialize(table, selection, outputs))
      }
    case .sort(let keys, let limit, let way, let input):
      return try sorted(try execute(input), keys, limit: limit, way: way)
    case .rankedTopN(let node, let input):
      return .rows(try rankedTopN(node, input))
    case .limit(let count, let input):
      switch try execute(input) {
      case .rows(var set):
        set.limit(count)
        return .rows(set)
      case .selection(let table, let selection):
        let rows = selection.rowList.prefix(count)
        return .selection(table, Selection(all: false, rows: ContiguousArray(rows), tableRows: table.rowCount))
      }
    case .total:
      throw ExecutionError.internalError("a total below the top of the plan")
    case .hashJoin(let node, let inputs):
      return .rows(try merge(node, inputs))
    case .compareJoin, .funnelCount:
      throw ExecutionError.internalError("a compare or a funnel below the top of the plan")
    }
  }

  /// Runs each input aggregate and joins their rows on the group keys (every key of any input
  /// gets a row; an input without it contributes its fills).
  func merge(_ node: Merge, _ inputs: [PhysicalPlan]) throws -> RowSet {
    var index: [[Value]: Int] = [:]
    var rows: [[Value?]] = []
    var keyColumns: [ResultColumn] = []
    var parts: [MergePart] = []
    var groupsAt: [[Int: Int32]] = []
    for (input, child) in inputs.enumerated() {
      guard case .rows(let set) = try execute(child), let aggregation = set.aggregation else {
        throw ExecutionError.internalError("a merge input that is not an aggregate")
      }
      if keyColumns.isEmpty { keyColumns = Array(set.columns.prefix(node.dimensionCount)) }
      var groupAt: [Int: Int32] = [:]
      for (rowIndex, row) in set.rows.enumerated() {
        let key = Array(row.prefix(node.dimensionCount))
        let position: Int
        if let existing = index[key] {
          position = existing
        } else {
          position = rows.count
          index[key] = position
          rows.append(key.map { $0 } + Array(repeating: nil, count: node.aggregateCount))
        }
        if let ids = set.groupIds { groupAt[position] = ids[rowIndex] }
        for (local, slot) in node.slots[input].enumerated() {
          rows[position][node.dimensionCount + slot] = row[node.dimensionCount + local]
        }
      }
      groupsAt.append(groupAt)
      parts.append(
        MergePart(aggregation: aggregation, groupOfRow: [], slots: node.slots[input], fills: node.fills[input]))
    }
    if rows.isEmpty && node.dimensionCount == 0 {
      rows.append(Array(repeating: nil, count: node.aggregateCount))
    }
    for part in parts.indices {
      parts[part].groupOfRow = rows.indices.map { groupsAt[part][$0] ?? -1 }
    }
    var fills = [Value](repeating: .null, count: node.aggregateCount)
    for (input, slots) in node.slots.enumerated() {
      for (local, slot) in slots.enumerated() { fills[slot] = node.fills[input][local] }
    }
    let complete = rows.map { row in
      row.enumerated().map { position, value in
        value ?? (position >= node.dimensionCount ? fills[position - node.dimensionCount] : .null)
      }
    }
    // The columns the plan says a merge gives: the keys, then each aggregate with its type.
    guard let columns = LogicalPlan.merge(node).outputColumns,
      columns.count == node.dimensionCount + node.aggregateCount
    else {
      throw ExecutionError.internalError("a merge whose inputs do not say their columns")
    }
    return RowSet(
      columns: columns, rows: complete, groupIds: complete.indices.map { Int32($0) }, aggregation: nil, parts: parts)
  }

  /// `top N` over many groups: ranks groups by the measures it sorts on and decodes the keys of
  /// only the groups it keeps (and of those it must compare on a key when measures tie).
  func rankedTopN(_ node: TopN, _ input: PhysicalPlan) throws -> RowSet {
    guard case .project(let outputs, let below) = input, case .hashAggregate(let op, let aggregate, let scan) = below,
      case .selection(_, let selection) = try execute(scan)
    else {
      throw ExecutionError.internalError("a ranked top N not over an aggregate's projection")
    }
    let groups = try op.aggregate(selection)
    let dimensionCount = aggregate.groups.count
    // Each sort key as an output expression; dimension keys are decoded lazily.
    // Bound once as a constant: the functions below capture it, and a captured var is boxed.
    var collected: [(expr: BoundExpr, descending: Bool, comparison: KeyComparison)] = []
    for key in node.keys {
      guard case .column(let name, _) = key.expr, let output = outputs.first(where: { $0.name == name }) else {
        throw ExecutionError.internalError("a ranked top N by '\(key.expr)', which is not an output")
      }
      collected.append(
        (
          output.expr, key.descending,
          KeyComparison(descending: key.descending, collation: key.collation, catalog: catalog)
        ))
    }
    let keyExprs = collected
    var decoded: [Int32: [Value]] = [:]
    func dims(_ group: Int32) -> [Value] {
      if let cached = decoded[group] { return cached }
      let values = groups.grouping.decode(Int(group))
      decoded[group] = values
      return values
    }
    // A sort key straight from an accumulator where it is one; other expressions get a row. An
    // error there (an overflow) is kept and thrown once the ranking is done: comparisons cannot throw.
    var keyFailure: Error?
    func key(_ position: Int, _ index: Int) -> Value {
      let group = Int(groups.ids[position])
      switch keyExprs[index].expr {
      case .groupRef(let dimension, _): return dims(groups.ids[position])[dimension]
      case .aggregateRef(let slot, _):
        let value = groups.accumulators[slot].result(group)
        return value.isNull ? groups.aggregates[slot].emptyValue : value
      case let expr:
        let row = Array(repeating: Value.null, count: dimensionCount) + groups.values(group)
        do {
          return try Executor.evaluate(expr, row: row, groupCount: dimensionCount)
        } catch {
          keyFailure = keyFailure ?? error
          return .null
        }
      }
    }
    func before(_ a: Int, _ b: Int) -> Bool {
      for index in keyExprs.indices {
        let c = keyExprs[index].comparison.compare(key(a, index), key(b, index))
        if c != 0 { return c < 0 }
      }
      return a < b
    }
    // The first sort key as a number, where it is one: once N rows are kept, a candidate whose
    // number is plainly worse than the last kept row's is passed over without the full comparison
    // (a number's conversion to Double keeps order, so plainly worse in Double is worse).
    let descendingFirst = keyExprs.first?.descending ?? false
    let numbers = try Executor.numbers(of: groups, keyExprs.first?.expr)
    func number(_ position: Int) -> Double? {
      if let numbers { return numbers[position] }
      return keyExprs.isEmpty ? nil : key(position, 0).doubleValue
    }
    var kept: [Int] = []
    var threshold: Double?
    for candidate in groups.ids.indices {
      if kept.count == node.count, let last = kept.last {
        if let threshold, let value = number(candidate), descendingFirst ? value < threshold : value > threshold {
          continue
        }
        if !before(candidate, last) { continue }
      }
      var position = kept.count
      while position > 0 && before(candidate, kept[position - 1]) { position -= 1 }
      kept.insert(candidate, at: position)
      if kept.count > node.count { kept.removeLast() }
      if kept.count == node.count, let last = kept.last { threshold = number(last) }
    }
    if let keyFailure { throw keyFailure }
    let rows = try kept.map { position in
      let row = dims(groups.ids[position]) + groups.values(Int(groups.ids[position]))
      return try outputs.map { try Executor.evaluate($0.expr, row: row, groupCount: dimensionCount) }
    }
    let columns = outputs.map(\.column)
    return RowSet(
      columns: columns, rows: rows, groupIds: kept.map { groups.ids[$0] }, aggregation: (op, groups.grouping))
  }

  /// A ranked top N's first sort key as a number for every group (NaN where it is none, which
  /// passes no candidate over), when that key is an aggregate: read in one tight loop, on the
  /// workers when there are many groups, rather than through the ranking's `key` for each
  /// candidate (at 220 000 clients, a fifth of the question).
  ///
  /// A median may select its values in place as it answers, so its groups are read on one thread.
  /// Nil for another key.
  static func numbers(of groups: HashAggregateOperator.Groups, _ first: BoundExpr?) throws -> ContiguousArray<Double>? {
    guard case .aggregateRef(let slot, _)? = first else { return nil }
    let accumulator = groups.accumulators[slot]
    let empty = groups.aggregates[slot].emptyValue
    let ids = groups.ids
    func numbers(_ range: Range<Int>) -> ContiguousArray<Double> {
      ContiguousArray(
        range.lazy.map { position in
          let value = accumulator.result(Int(ids[position]))
          return (value.isNull ? empty : value).doubleValue ?? .nan
        })
    }
    guard Workers.parallel, !(accumulator is MedianAccumulator), ids.count >= Workers.threshold(1 << 16) else {
      return numbers(0..<ids.count)
    }
    let parts = Workers.morsels(ids.count, parts: Workers.threads)
    return ContiguousArray(try Workers.map(parts.count) { numbers(parts[$0]) }.joined())
  }

  func lookup(_ name: String) throws -> Table {
    guard let table = catalog.table(named: name) else { throw ExecutionError.missingTable(name) }
    return table
  }

  func sorted(_ input: Intermediate, _ keys: [SortKey], limit: Int?, way: PhysicalPlan.SortWay) throws
    -> Intermediate
  {
    switch input {
    case .rows(var set):
      try set.sort(by: keys, limit: limit, catalog: catalog)
      return .rows(set)
    case .selection(let table, let selection):
      guard let firstKey = keys.first else { return input }
      // The first key orders most rows; the further keys (show's tie-breaks over every column)
      // are read only for rows the first leaves tied. Comparisons cannot throw: an error in a
      // further key is kept and thrown once the order is done.
      let further = try keys.dropFirst().map { (try RowExpression($0.expr, table: table), $0.descending) }
      var failure: Error?
      func tieBefore(_ a: UInt32, _ b: UInt32) -> Bool {
        for (evaluator, descending) in further {
          let x: Value
          let y: Value
          do {
            (x, y) = (try evaluator.evaluate(Int(a)), try evaluator.evaluate(Int(b)))
          } catch {
            failure = failure ?? error
            return a < b
          }
          if x.isNull != y.isNull { return y.isNull }
          let c = Value.compare(x, y)
          if c != 0 { return descending ? c > 0 : c < 0 }
        }
        return a < b
      }
      if let limit, case .selectionHeap(let column) = way,
        let rows = TopNSelector.select(
          selection, column: column, descending: firstKey.descending, limit: limit, tie: tieBefore)
      {
        if let failure { throw failure }
        return .selection(table, Selection(all: false, rows: rows, tableRows: table.rowCount))
      }
      let first = try RowExpression(firstKey.expr, table: table)
      var entries: [(row: UInt32, key: Value)] = []
      entries.reserveCapacity(selection.count)
      try selection.forEachRow { row in entries.append((UInt32(row), try first.evaluate(row))) }
      entries.sort { a, b in
        if a.key.isNull != b.key.isNull { return b.key.isNull }
        let c = Value.compare(a.key, b.key)
        if c != 0 { return firstKey.descending ? c > 0 : c < 0 }
        return tieBefore(a.row, b.row)
      }
      if let failure { throw failure }
      var rows = ContiguousArray(entries.map(\.row))
      if let limit, rows.count > limit { rows.removeLast(rows.count - limit) }
      return .selection(table, Selection(all: false, rows: rows, tableRows: table.rowCount))
    }
  }

  func project(_ set: RowSet, _ outputs: [BoundOutput]) throws -> RowSet {
    let groupCount = set.columns.filter { $0.role == .dimension }.count
    let rows = try set.rows.map { row in
      try outputs.map { try Executor.evaluate($0.expr, row: row, groupCount: groupCount) }
    }
    let columns = outputs.map(\.column)
    return RowSet(columns: columns, rows: rows, groupIds: set.groupIds, aggregation: set.aggregation, parts: set.parts)
  }

  /// A measure over one aggregated row.
  static func evaluate(_ expr: BoundExpr, row: [Value], groupCount: Int) throws -> Value {
    switch expr {
    case .groupRef(let index, _): return row[index]
    case .aggregateRef(let index, _): return row[groupCount + index]
    case .literal(let value, _): return value
    case .arithmetic(let op, let l, let r, let type):
      return try ValueOps.arithmetic(
        op, try evaluate(l, row: row, groupCount: groupCount), try evaluate(r, row: row, groupCount: groupCount), type)
    case .negate(let inner): return try ValueOps.negate(try evaluate(inner, row: row, groupCount: groupCount))
    default: throw ExecutionError.internalError("'\(expr)' over aggregated rows")
    }
  }

  func materialize(_ table: Table, _ selection: Selection, _ outputs: [BoundOutput]) throws -> RowSet {
    let evaluators = try outputs.map { try RowExpression($0.expr, table: table) }
    var rows: [[Value]] = []
    rows.reserveCapacity(selection.count)
    try selection.forEachRow { row in rows.append(try evaluators.map { try $0.evaluate(row) }) }
    return RowSet(
      columns: outputs.map(\.column), rows: rows,
      groupIds: nil,
      aggregation: nil)
  }

  /// Runs the plan below, then re-aggregates the rows of the groups it kept into one total row.
  func runTotal(_ total: Total, _ input: PhysicalPlan, keep: (([Value]) -> Bool)? = nil) throws -> ResultTable {
    guard case .rows(var set) = try execute(input) else {
      throw ExecutionError.internalError("a total over rows that are not grouped")
    }
    if let keep, let ids = set.groupIds {
      // The groups the caller keeps, found by their dimension values; the rows stay as shown.
      let dimensions = CompareJoiner.dimensions(set.columns)
      let rows = set.rows
      set.groupIds = rows.indices.filter { row in keep(dimensions.map { rows[row][$0] }) }.map { ids[$0] }
    }
    if let parts = set.parts { return try mergedTotal(total, set, parts) }
    guard let aggregation = set.aggregation else {
      throw ExecutionError.internalError("a total over rows that are not grouped")
    }
    var node = total.input
    while true {
      if case .project(let project) = node, case .aggregate(let aggregate) = project.input {
        let row = try aggregation.op.total(aggregation.grouping, kept: set.groupIds ?? [])
        let values = try project.outputs.map { output -> Value in
          output.role == .dimension
            ? .null : try Executor.evaluate(output.expr, row: row, groupCount: aggregate.groups.count)
        }
        return ResultTable(columns: set.columns, rows: set.rows, total: values)
      }
      guard let input = node.input else { break }
      node = input
    }
    throw ExecutionError.internalError("no aggregate under a total")
  }

  /// The total of measures from several tables: each aggregate totals its own groups among the
  /// rows shown (a row it has no group for adds nothing), then the outputs are computed from the
  /// totals, so a ratio's total is the ratio of the totals.
  func mergedTotal(_ total: Total, _ set: RowSet, _ parts: [MergePart]) throws -> ResultTable {
    var node = total.input
    while true {
      if case .project(let project) = node, case .merge(let merge) = project.input {
        var row = [Value](repeating: .null, count: merge.dimensionCount + merge.aggregateCount)
        let shown = set.groupIds ?? []
        for part in parts {
          let kept = shown.compactMap { position -> Int32? in
            let group = part.groupOfRow[Int(position)]
            return group >= 0 ? group : nil
          }
          let values: [Value]
          if kept.isEmpty {
            values = part.fills
          } else {
            let totals = try part.aggregation.op.total(part.aggregation.grouping, kept: kept)
            values = Array(totals.suffix(part.slots.count))
          }
          for (local, slot) in part.slots.enumerated() { row[merge.dimensionCount + slot] = values[local] }
        }
        let values = try project.outputs.map { output -> Value in
          output.role == .dimension
            ? .null : try Executor.evaluate(output.expr, row: row, groupCount: merge.dimensionCount)
        }
        return ResultTable(columns: set.columns, rows: set.rows, total: values)
      }
      guard let input = node.input else { break }
      node = input
    }
    throw ExecutionError.internalError("no merge under a total")
  }
}
