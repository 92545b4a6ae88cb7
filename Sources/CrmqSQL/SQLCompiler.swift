import CrmqCore
import CrmqPlanner
import CrmqSemantics
import CrmqSyntax

/// Compiles a statement's logical plan into one self-contained SQL statement over the canonical
/// tables, which returns the cells the in-memory engine returns, in the same columns and order.
///
/// The plan's meaning is kept, never approximated: money stays exact (`numeric(18,2)`, divided
/// and rounded half away from zero to the kopeck), division by zero is null (`NULLIF`), text
/// orders by bytes (`COLLATE "C"`), nulls sort last, and every ORDER BY carries the plan's
/// total order. What the compiler cannot yet say that way is error E0801, never SQL that runs
/// and answers otherwise.
public struct SQLCompiler: Sendable {
  public let dialect: SQLDialect
  /// While the earlier period of a compare compiles: how its time buckets move onto the current
  /// calendar (its dimensions are written moved, so the two periods meet on them).
  var shift: ComparisonPlan?
  /// Whether the data has a stages table: funnels read their stage order there (without one the
  /// engine infers the order from stage_history, which is not compiled), and stage_group and
  /// lost_at the stages' kinds; without one the SQL never names it.
  public var hasStages = true

  public init(dialect: SQLDialect) {
    self.dialect = dialect
  }

  /// The SQL of a plan, ending with `;`.
  public func compile(_ plan: LogicalPlan) throws(SQLCompileFailure) -> String {
    return try statement(plan) + dialect.statementEnd
  }

  // MARK: - Statements

  /// A plan's top, down to the projection: a total, an order, a limit.
  func statement(_ plan: LogicalPlan) throws(SQLCompileFailure) -> String {
    switch plan {
    case .total(let total):
      return try totalled(total.input)
    case .compare(let compare):
      return try compared(compare)
    case .funnel(let node):
      return try funnel(node)
    default:
      let (query, _) = try ordered(plan)
      return query
    }
  }

  /// A projection with the order and limit above it.
  struct Ordered {
    var project: Project
    /// ORDER BY terms over the projection's output names.
    var order: [String]
    var limit: Int?
  }

  /// The sort keys and the limit of the sort, top and limit nodes at a plan's top, and the node
  /// below them.
  func peeled(_ plan: LogicalPlan) -> (keys: [SortKey], limit: Int?, below: LogicalPlan) {
    var keys: [SortKey] = []
    var limit: Int?
    var node = plan
    while true {
      switch node {
      case .sort(let sort):
        if keys.isEmpty { keys = sort.keys }
        node = sort.input
      case .topN(let top):
        (keys, limit) = (top.keys, min(limit ?? top.count, top.count))
        node = top.input
      case .limit(let cut):
        limit = min(limit ?? cut.count, cut.count)
        node = cut.input
      default:
        return (keys, limit, node)
      }
    }
  }

  /// Walks down through sort, top and limit to the projection.
  func ordering(_ plan: LogicalPlan) throws(SQLCompileFailure) -> Ordered {
    let (keys, limit, node) = peeled(plan)
    guard case .project(let project) = node else { throw SQLCompileFailure("a plan whose top is not a projection") }
    var order: [String] = []
    for key in keys {
      guard case .column(let name, let type) = key.expr, project.outputs.contains(where: { $0.name == name }) else {
        throw SQLCompileFailure("an order by something other than a column of the result")
      }
      order += orderTerms(dialect.quote(name), type: type, descending: key.descending, collation: key.collation)
    }
    return Ordered(project: project, order: order, limit: limit)
  }

  /// A projection under any sort, top or limit: the SELECT with its ORDER BY and LIMIT.
  func ordered(_ plan: LogicalPlan) throws(SQLCompileFailure) -> (String, order: String) {
    let shape = try ordering(plan)
    let select = try projection(shape.project)
    if shape.order.isEmpty && shape.limit == nil { return (select, "") }
    var sql = "SELECT * FROM (\n" + indent(select) + "\n) AS q"
    if !shape.order.isEmpty { sql += "\nORDER BY " + shape.order.joined(separator: ", ") }
    if let limit = shape.limit { sql += "\nLIMIT \(limit)" }
    return (sql, shape.order.joined(separator: ", "))
  }

  /// `ORDER BY` for one key: bytes for text, nulls last either way (crmq's order).
  func orderTerm(_ expression: String, type: DataType, descending: Bool) -> String {
    let collated = type == .string || isBucket(type) ? expression + dialect.bytes : expression
    return collated + (descending ? " DESC" : " ASC") + " NULLS LAST"
  }

  /// The rows shown, then the total row: every aggregate again over the rows of the groups
  /// shown (after the limit), the dimensions null.
  ///
  /// Without a limit every group is shown, so the total reads every row the conditions keep; with
  /// one, the rows joined to the keys shown.
  func totalled(_ plan: LogicalPlan) throws(SQLCompileFailure) -> String {
    let shape = try ordering(plan)
    let keys = (0..<groupCount(shape.project)).map { "#g\($0)" }
    return withTotal(
      rows: try projection(shape.project, keepingKeys: true), order: shape.order, limit: shape.limit,
      names: shape.project.outputs.map(\.name),
      totals: ["total AS (\n" + indent(try totalRow(shape.project, keptKeys: shape.limit == nil ? nil : keys)) + "\n)"])
  }

  /// `rows` numbered in `order` and cut at `limit` (the CTE `shown`, which `totals` may read),
  /// then the row of the CTE `total` (the last of `totals`) after them.
  func withTotal(rows: String, order: [String], limit: Int?, names: [String], totals: [String]) -> String {
    let list = names.map(dialect.quote).joined(separator: ", ")
    let numbered =
      "SELECT q.*, row_number() OVER (" + (order.isEmpty ? "" : "ORDER BY " + order.joined(separator: ", "))
      + ") AS \"#row\" FROM (\n" + indent(rows) + "\n) AS q"
    let shown = "SELECT * FROM (\n" + indent(numbered) + "\n) AS r" + (limit.map { " WHERE \"#row\" <= \($0)" } ?? "")
    return "WITH shown AS (\n" + indent(shown) + "\n),\n" + totals.joined(separator: ",\n") + "\n"
      + "SELECT " + list + " FROM (\n"
      + indent(
        "SELECT " + list + ", 0 AS \"#part\", \"#row\" FROM shown\nUNION ALL\nSELECT " + list + ", 1, 0 FROM total")
      + "\n) AS u\nORDER BY \"#part\", \"#row\""
  }

  /// How many group keys a projection's aggregate (or merge) has.
  func groupCount(_ project: Project) -> Int {
    switch project.input {
    case .aggregate(let aggregate): return aggregate.groups.count
    case .merge(let merge): return merge.dimensionCount
    default: return 0
    }
  }

  /// The total row of a projection: its dimensions null, its measures over the aggregates'
  /// totals.
  ///
  /// `keptKeys` names the columns of `shown` that hold each group key, when only the rows of the
  /// groups shown count (nil: every row counts).
  func totalRow(_ project: Project, keptKeys: [String]?) throws(SQLCompileFailure) -> String {
    // The aggregates' totals in one row of `#a…`: of one aggregate, its own; of a merge, each
    // input's at its slots, its fills where none of its groups is shown (as the engine's
    // mergedTotal), so a ratio's total is the ratio of the totals.
    let totals: String
    switch project.input {
    case .aggregate(let aggregate):
      totals = try aggregateTotals(aggregate, keptKeys: keptKeys)
    case .merge(let merge):
      var parts: [String] = []
      var slots = [String](repeating: "NULL", count: merge.aggregateCount)
      for (index, input) in merge.inputs.enumerated() {
        guard case .aggregate(let aggregate) = input else {
          throw SQLCompileFailure("a merge of something other than aggregates")
        }
        parts.append("(" + (try aggregateTotals(aggregate, keptKeys: keptKeys)) + ") AS t\(index)")
        for (local, slot) in merge.slots[index].enumerated() {
          let value = "t\(index).\(dialect.quote("#a\(local)"))"
          slots[slot] =
            "CASE WHEN t\(index).\(dialect.quote("#n")) = 0 THEN \(try literal(merge.fills[index][local])) ELSE \(value) END"
        }
      }
      totals =
        "SELECT " + slots.enumerated().map { "\($1) AS \(dialect.quote("#a\($0)"))" }.joined(separator: ", ") + " FROM "
        + parts.joined(separator: " CROSS JOIN ")
    default:
      throw SQLCompileFailure("a total over this plan is not compiled yet")
    }
    let outputs = try project.outputs.map { output throws(SQLCompileFailure) -> String in
      let value = output.role == .dimension ? "NULL" : try outputExpression(output.expr, prefix: "t.")
      return value + " AS " + dialect.quote(output.name)
    }
    return "SELECT " + outputs.joined(separator: ", ") + " FROM (" + totals + ") AS t"
  }

  /// One aggregate's totals (`#a…`) and its row count (`#n`): over every row its conditions keep,
  /// or with `keptKeys` over the rows of the groups shown (each row's keys under names of their
  /// own, `#k…`, joined to the distinct keys of `shown`).
  func aggregateTotals(_ aggregate: Aggregate, keptKeys: [String]?) throws(SQLCompileFailure) -> String {
    let source = try source(aggregate.input)
    var aggregates = try aggregate.aggregates.enumerated().map { index, bound throws(SQLCompileFailure) in
      try aggregateSQL(bound) + " AS " + dialect.quote("#a\(index)")
    }
    aggregates.append("COUNT(*) AS " + dialect.quote("#n"))
    let filtered =
      source.table + (source.conditions.isEmpty ? "" : " WHERE " + source.conditions.joined(separator: " AND "))
    let sql = "SELECT " + aggregates.joined(separator: ", ") + " FROM "
    guard let keptKeys, !aggregate.groups.isEmpty else { return sql + filtered }
    let keys = try aggregate.groups.enumerated().map { index, group throws(SQLCompileFailure) in
      try expression(group.expr) + " AS " + dialect.quote("#k\(index)")
    }
    let kept = keptKeys.enumerated().map { "\(dialect.quote($1)) AS \(dialect.quote("#s\($0)"))" }
    let on = aggregate.groups.indices.map {
      "r.\(dialect.quote("#k\($0)")) IS NOT DISTINCT FROM s.\(dialect.quote("#s\($0)"))"
    }
    return sql + "(SELECT *, " + keys.joined(separator: ", ") + " FROM " + filtered
      + ") AS r INNER JOIN (SELECT DISTINCT " + kept.joined(separator: ", ") + " FROM shown) AS s ON "
      + on.joined(separator: " AND ")
  }

  /// A compare: each period's rows (the earlier one's buckets moved onto the current calendar),
  /// every key of either joined to both, each measure m followed by m_prev, m_delta and
  /// m_delta_pct as CompareJoiner makes them, ordered by the plan's keys then the dimensions.
  func compared(_ node: CrmqPlanner.Compare) throws(SQLCompileFailure) -> String {
    var earlier = self
    earlier.shift = node.comparison
    let current = try ordering(underTotal(node.current)).project
    let previous = try earlier.ordering(underTotal(node.previous)).project
    let dimensions = current.outputs.filter { $0.role == .dimension }
    // One period's columns, and the compared result's (m, m_prev, m_delta, m_delta_pct).
    let periodColumns = current.outputs.map { ResultColumn(name: $0.name, type: $0.expr.type, role: $0.role) }
    let resultColumns = CrmqPlanner.Compare.columns(periodColumns)
    let measures = periodColumns.filter { $0.role != .dimension }
    let keys = dimensions.map { dialect.quote($0.name) }
    var sql =
      "WITH cur AS (\n" + indent(try projection(current)) + "\n),\nprev AS (\n"
      + indent(try earlier.projection(previous)) + "\n)"
    var from = "FROM "
    if keys.isEmpty {
      from += "(SELECT 1 AS one) AS k LEFT JOIN cur ON TRUE LEFT JOIN prev ON TRUE"
    } else {
      sql +=
        ",\nk AS (\n"
        + indent(
          "SELECT \(keys.joined(separator: ", ")) FROM cur\nUNION DISTINCT\nSELECT \(keys.joined(separator: ", ")) FROM prev"
        )
        + "\n)"
      from +=
        "k\n"
        + ["cur", "prev"].map { side in
          "LEFT JOIN \(side) ON " + keys.map { "k.\($0) IS NOT DISTINCT FROM \(side).\($0)" }.joined(separator: " AND ")
        }.joined(separator: "\n")
    }
    let columns = keys.map { "k.\($0) AS \($0)" } + comparedMeasures(measures, now: "cur", before: "prev")
    let joined = sql + "\nSELECT " + columns.joined(separator: ", ") + "\n" + from
    // The plan's order, then every dimension not in it: the order is total.
    let types = Dictionary(resultColumns.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
    var order = node.order.flatMap {
      orderTerms(
        dialect.quote($0.column), type: types[$0.column] ?? .double, descending: $0.descending, collation: $0.collation)
    }
    for dimension in dimensions where !node.order.contains(where: { $0.column == dimension.name }) {
      order.append(orderTerm(dialect.quote(dimension.name), type: dimension.expr.type, descending: false))
    }
    // The compared total: each period's total (over every row, or over the groups of the rows
    // kept, the earlier period's keys moved as its rows were), joined as two rows are.
    let kept: [String]?
    switch node.total {
    case .none:
      var out = "SELECT * FROM (\n" + indent(joined) + "\n) AS q"
      if !order.isEmpty { out += "\nORDER BY " + order.joined(separator: ", ") }
      if let limit = node.limit { out += "\nLIMIT \(limit)" }
      return out
    case .eachPeriod:
      kept = nil
    case .overKept:
      kept = (0..<groupCount(current)).map { index in
        current.outputs.first { $0.expr == .groupRef(index, $0.expr.type) }?.name ?? ""
      }
    }
    let now = try totalRow(current, keptKeys: kept)
    let before = try earlier.totalRow(previous, keptKeys: kept)
    let total =
      "SELECT "
      + (dimensions.map { "NULL AS \(dialect.quote($0.name))" }
      + comparedMeasures(measures, now: "cur_total", before: "prev_total"))
      .joined(separator: ", ") + " FROM cur_total CROSS JOIN prev_total"
    return withTotal(
      rows: joined, order: order, limit: node.limit, names: resultColumns.map(\.name),
      totals: [
        "cur_total AS (\n" + indent(now) + "\n)", "prev_total AS (\n" + indent(before) + "\n)",
        "total AS (\n" + indent(total) + "\n)",
      ])
  }

  /// A plan under its Total, if it has one (a compare's periods with `with total`).
  func underTotal(_ plan: LogicalPlan) -> LogicalPlan {
    if case .total(let total) = plan { return total.input }
    return plan
  }

  /// Each measure m of two rows, `now` and `before`, followed by m_prev, m_delta and m_delta_pct
  /// as CompareJoiner makes them: a count or a sum with no rows in a period is 0 there.
  func comparedMeasures(_ measures: [ResultColumn], now: String, before: String) -> [String] {
    var columns: [String] = []
    for measure in measures {
      let name = dialect.quote(measure.name)
      let type = measure.type
      let zero = type == .int ? "0" : type == .money ? dialect.moneyLiteral("0.00") : nil
      let m = zero.map { "COALESCE(\(now).\(name), \($0))" } ?? "\(now).\(name)"
      let p = zero.map { "COALESCE(\(before).\(name), \($0))" } ?? "\(before).\(name)"
      let delta: String
      switch type {
      case .int: delta = "(\(m) - \(p))"
      case .money: delta = dialect.money("\(m) - \(p)")
      default: delta = "(\(dialect.float(m)) - \(dialect.float(p)))"
      }
      let percent = "((\(dialect.float(m)) - \(dialect.float(p))) / NULLIF(\(dialect.float(p)), 0))"
      columns += [
        "\(m) AS \(name)", "\(p) AS \(dialect.quote(measure.name + "_prev"))",
        "\(delta) AS \(dialect.quote(measure.name + "_delta"))",
        "\(percent) AS \(dialect.quote(measure.name + "_delta_pct"))",
      ]
    }
    return columns
  }

  // MARK: - Projections

  /// A projection: over one aggregate, over a merge of several, or over a table's rows (show).
  ///
  /// `keepingKeys` adds the group keys as `#g0…`, for a total to find the groups shown.
  func projection(_ project: Project, keepingKeys: Bool = false) throws(SQLCompileFailure) -> String {
    switch project.input {
    case .aggregate(let aggregate):
      let inner = try aggregateSelect(aggregate, prefix: "")
      var outputs = try project.outputs.map { output throws(SQLCompileFailure) in
        try outputExpression(output.expr, prefix: "a.") + " AS " + dialect.quote(output.name)
      }
      if keepingKeys { outputs += aggregate.groups.indices.map { "a.\(dialect.quote("#g\($0)"))" } }
      return "SELECT " + outputs.joined(separator: ", ") + "\nFROM (\n" + indent(inner) + "\n) AS a"
    case .merge(let merge):
      return try merged(merge, project, keepingKeys: keepingKeys)
    case .scan, .filter, .sort, .topN, .limit:
      // A table's rows (show): the order and limit sit below the projection, over the table's columns.
      let (keys, limit, node) = peeled(project.input)
      let source = try source(node)
      let outputs = try project.outputs.map { output throws(SQLCompileFailure) in
        try valueExpression(output.expr) + " AS " + dialect.quote(output.name)
      }
      let order = try keys.map { key throws(SQLCompileFailure) in
        orderTerm(try expression(key.expr), type: key.expr.type, descending: key.descending)
      }
      return "SELECT " + outputs.joined(separator: ", ") + " FROM " + source.table
        + (source.conditions.isEmpty ? "" : " WHERE " + source.conditions.joined(separator: " AND "))
        + (order.isEmpty ? "" : "\nORDER BY " + order.joined(separator: ", "))
        + (limit.map { "\nLIMIT \($0)" } ?? "")
    default:
      throw SQLCompileFailure("a projection over this plan is not compiled yet")
    }
  }

  /// One aggregate as a SELECT: the group keys `#g0…`, the aggregates `#a0…`.
  func aggregateSelect(_ aggregate: Aggregate, prefix: String) throws(SQLCompileFailure) -> String {
    let source = try source(aggregate.input)
    var columns = try aggregate.groups.enumerated().map { index, group throws(SQLCompileFailure) in
      try expression(group.expr) + " AS " + dialect.quote("#g\(index)")
    }
    columns += try aggregate.aggregates.enumerated().map { index, bound throws(SQLCompileFailure) in
      try aggregateSQL(bound) + " AS " + dialect.quote("#a\(index)")
    }
    var sql = "SELECT " + columns.joined(separator: ", ") + " FROM " + source.table
    if !source.conditions.isEmpty { sql += " WHERE " + source.conditions.joined(separator: " AND ") }
    if !aggregate.groups.isEmpty {
      sql += " GROUP BY " + (1...aggregate.groups.count).map(String.init).joined(separator: ", ")
    }
    return sql
  }

  /// Several aggregates joined on their group keys: every key of any of them gets a row (the
  /// keys' union, then each aggregate joined to it), and a key one lacks gets its fills.
  func merged(_ merge: Merge, _ project: Project, keepingKeys: Bool = false) throws(SQLCompileFailure) -> String {
    var ctes: [String] = []
    for (index, input) in merge.inputs.enumerated() {
      guard case .aggregate(let aggregate) = input else {
        throw SQLCompileFailure("a merge of something other than aggregates")
      }
      ctes.append("s\(index) AS (\n" + indent(try aggregateSelect(aggregate, prefix: "")) + "\n)")
    }
    let keys = (0..<merge.dimensionCount).map { dialect.quote("#g\($0)") }
    var from = "FROM "
    if keys.isEmpty {
      from += "(SELECT 1 AS one) AS k"
    } else {
      ctes.append(
        "k AS (\n"
          + indent(
            merge.inputs.indices.map { "SELECT " + keys.joined(separator: ", ") + " FROM s\($0)" }.joined(
              separator: "\nUNION DISTINCT\n")) + "\n)")
      from += "k"
    }
    for index in merge.inputs.indices {
      let on =
        keys.isEmpty ? "TRUE" : keys.map { "k.\($0) IS NOT DISTINCT FROM s\(index).\($0)" }.joined(separator: " AND ")
      from += "\nLEFT JOIN s\(index) ON " + on
    }
    // The merged row: keys, then each aggregate at its slot, its fill where the input lacks it.
    var slotSQL = [String](repeating: "NULL", count: merge.aggregateCount)
    for (input, slots) in merge.slots.enumerated() {
      for (local, slot) in slots.enumerated() {
        let column = "s\(input).\(dialect.quote("#a\(local)"))"
        let fill = merge.fills[input][local]
        slotSQL[slot] = fill.isNull ? column : "COALESCE(\(column), \(try literal(fill)))"
      }
    }
    let row = keys.map { "k.\($0)" } + slotSQL.enumerated().map { "\($1) AS \(dialect.quote("#a\($0)"))" }
    let inner =
      "SELECT " + (keys.isEmpty ? [] : keys.map { "k.\($0) AS \($0)" }).joined(separator: ", ")
      + (keys.isEmpty ? "" : ", ") + row.dropFirst(keys.count).joined(separator: ", ") + "\n" + from
    var outputs = try project.outputs.map { output throws(SQLCompileFailure) in
      try outputExpression(output.expr, prefix: "a.") + " AS " + dialect.quote(output.name)
    }
    if keepingKeys { outputs += keys.map { "a.\($0)" } }
    return "WITH " + ctes.joined(separator: ",\n") + "\nSELECT " + outputs.joined(separator: ", ") + "\nFROM (\n"
      + indent(inner) + "\n) AS a"
  }

  /// The table and the conditions of a scan, with the filters above it.
  func source(_ plan: LogicalPlan) throws(SQLCompileFailure) -> (table: String, conditions: [String]) {
    switch plan {
    case .scan(let scan):
      return (
        table(scan.table, deriving: scan.derived),
        try scan.filters.map { filter throws(SQLCompileFailure) in
          try condition(filter)
        }
      )
    case .filter(let filter):
      var inner = try source(filter.input)
      inner.conditions.append(try condition(filter.predicate))
      return inner
    default:
      throw SQLCompileFailure("rows read from this plan are not compiled yet")
    }
  }

  /// A table by name, or deals with the derived facts the plan reads of it.
  func table(_ name: String, deriving facts: [DerivedFact]) -> String {
    name != "deals" || facts.isEmpty ? dialect.quote(name) : dealsWithDerived(facts)
  }

  /// Deals with derived facts as columns, each to its definition in `DerivedFact`: joins, never
  /// correlated subqueries, and names of their own (ClickHouse reads an alias of the SELECT list
  /// in its WHERE).
  func dealsWithDerived(_ facts: [DerivedFact]) -> String {
    func q(_ name: String) -> String { dialect.quote(name) }
    let deals = q("deals")
    var select = ["d.*"]
    var joins = ""
    if facts.contains(.repeatDeal) {
      select.append(
        "CASE WHEN d.\(q("created_at")) IS NOT NULL AND w.first_win < d.\(q("created_at")) THEN 'repeat' ELSE 'primary' END AS \(q("repeat"))"
      )
      joins +=
        " LEFT JOIN (SELECT \(q("client_id")) AS \(q("#client")), MIN(\(q("closed_at"))) AS first_win FROM \(deals) WHERE \(q("status")) = 'won' "
        + "AND \(q("client_id")) IS NOT NULL AND \(q("closed_at")) IS NOT NULL GROUP BY 1) AS w ON w.\(q("#client")) = d.\(q("client_id"))"
    }
    if facts.contains(.stageGroup) {
      let known = "\(q("pipeline")) IS NOT NULL AND \(q("stage")) IS NOT NULL AND \(q("kind")) IS NOT NULL"
      let names = ClosingStages.names.sorted(by: { $0.key < $1.key }).map {
        "WHEN \(dialect.string($0.key)) THEN \(dialect.string($0.value))"
      }.joined(separator: " ")
      let byName = "CASE \(dialect.lower("d." + q("stage"))) \(names) END"
      if !hasStages {
        select.append("COALESCE(\(byName), d.\(q("status"))) AS \(q("stage_group"))")
      } else {
        select.append(
          "COALESCE(sk.\(q("#kind")), CASE WHEN sn.n = 0 THEN \(byName) END, d.\(q("status"))) AS \(q("stage_group"))")
      }
      if hasStages {
        joins +=
          " LEFT JOIN (SELECT \(q("pipeline")) AS \(q("#pipeline")), \(q("stage")) AS \(q("#stage")), MAX(\(q("kind"))) AS \(q("#kind")) FROM \(q("stages")) WHERE \(known) GROUP BY 1, 2) AS sk"
          + " ON sk.\(q("#pipeline")) = d.\(q("pipeline")) AND sk.\(q("#stage")) = d.\(q("stage"))"
          + " CROSS JOIN (SELECT COUNT(*) AS n FROM \(q("stages")) WHERE \(known)) AS sn"
      }
    }
    if facts.contains(.lostAt) {
      let known = "\(q("pipeline")) IS NOT NULL AND \(q("stage")) IS NOT NULL AND \(q("kind")) IS NOT NULL"
      let kinds =
        "SELECT \(q("pipeline")) AS \(q("#pipeline")), \(q("stage")) AS \(q("#stage")) FROM \(q("stages")) WHERE \(known) "
        + "GROUP BY 1, 2 HAVING MAX(\(q("kind"))) = 'open'"
      let closing =
        "SELECT \(q("stage")) FROM \(deals) WHERE \(q("status")) IS NOT NULL AND \(q("status")) <> 'open' AND \(q("stage")) IS NOT NULL"
      let notClosing = "h.\(q("stage")) NOT IN (\(closing))"
      let entries =
        "SELECT h.\(q("deal_id")) AS \(q("#deal")), h.\(q("stage")) AS \(q("#lost_at")), row_number() OVER (PARTITION BY h.\(q("deal_id")) "
        + "ORDER BY h.\(q("entered_at")) DESC, h.\(q("stage"))\(dialect.bytes) DESC) AS \(q("#n"))"
        + " FROM \(q("stage_history")) AS h INNER JOIN \(deals) AS o ON o.\(q("id")) = h.\(q("deal_id"))"
        + (hasStages
          ? " LEFT JOIN (\(kinds)) AS ok ON ok.\(q("#pipeline")) = o.\(q("pipeline")) AND ok.\(q("#stage")) = h.\(q("stage"))"
            + " CROSS JOIN (SELECT COUNT(*) AS n FROM \(q("stages")) WHERE \(known)) AS kn" : "")
        + " WHERE h.\(q("entered_at")) IS NOT NULL AND h.\(q("stage")) IS NOT NULL AND "
        + (hasStages
          ? "((kn.n > 0 AND ok.\(q("#stage")) IS NOT NULL) OR (kn.n = 0 AND \(notClosing)))" : notClosing)
      select.append("CASE WHEN d.\(q("status")) = 'lost' THEN la.\(q("#lost_at")) END AS \(q("lost_at"))")
      joins +=
        " LEFT JOIN (SELECT \(q("#deal")), \(q("#lost_at")) FROM (\(entries)) AS x WHERE \(q("#n")) = 1) AS la"
        + " ON la.\(q("#deal")) = d.\(q("id"))"
    }
    return "(SELECT " + select.joined(separator: ", ") + " FROM \(deals) AS d" + joins + ") AS \(deals)"
  }

  // MARK: - Expressions

  /// A predicate: true, false or null, as crmq's filters read it.
  func condition(_ expr: BoundExpr) throws(SQLCompileFailure) -> String {
    "(" + (try expression(expr)) + ")"
  }

  /// A row expression over a table's columns.
  func expression(_ expr: BoundExpr) throws(SQLCompileFailure) -> String {
    switch expr {
    case .column(let name, _):
      return dialect.quote(name)
    case .literal(let value, _):
      return try literal(value)
    case .bucket(let grain, let inner, let weekStart):
      let value = try expression(inner)
      if let shift, grain.isCalendar {
        return try bucket(
          grain, try moved(grain, value, shift, weekStart: weekStart), weekStart: weekStart, timestamp: false)
      }
      return try bucket(grain, value, weekStart: weekStart, timestamp: inner.type == .timestamp)
    case .compare(let op, let l, let r):
      let collate = l.type == .string && op != .equal && op != .notEqual ? dialect.bytes : ""
      return "(\(try expression(l))\(collate) \(try comparison(op)) \(try expression(r)))"
    case .arithmetic(let op, let l, let r, let type):
      return try arithmetic(op, try expression(l), try expression(r), type: type, rightType: r.type)
    case .negate(let inner):
      return "(-\(try expression(inner)))"
    case .and(let items):
      return "(" + (try items.map { item throws(SQLCompileFailure) in try expression(item) }).joined(separator: " AND ")
        + ")"
    case .or(let items):
      return "(" + (try items.map { item throws(SQLCompileFailure) in try expression(item) }).joined(separator: " OR ")
        + ")"
    case .not(let inner):
      return "(NOT \(try expression(inner)))"
    case .inList(let inner, let values, let negated):
      let list = try values.map { value throws(SQLCompileFailure) in try literal(value) }.joined(separator: ", ")
      return "(\(try expression(inner)) \(negated ? "NOT IN" : "IN") (\(list)))"
    case .isNull(let inner, let negated):
      return "(\(try expression(inner)) IS \(negated ? "NOT " : "")NULL)"
    case .contains(let inner, let text, let negated):
      let haystack = dialect.lower(try expression(inner))
      let found =
        dialect == .postgres
        ? "strpos(\(haystack), \(dialect.string(text)))" : "position(\(haystack), \(dialect.string(text)))"
      return "(\(negated ? "NOT " : "")(\(found) > 0))"
    case .startsWith(let inner, let text, let negated):
      let function = dialect == .postgres ? "starts_with" : "startsWith"
      return "(\(negated ? "NOT " : "")\(function)(\(dialect.lower(try expression(inner))), \(dialect.string(text))))"
    case .daysBetween(let from, let to):
      let (a, b) = (try expression(from), try expression(to))
      let days = from.type == .date && to.type == .date
      switch dialect {
      case .postgres:
        if days { return "((\(b) - \(a))::float8)" }
        return "(EXTRACT(EPOCH FROM (\(b)::timestamp - \(a)::timestamp))::float8 / 86400)"
      case .clickhouse:
        if days { return "toFloat64(dateDiff('day', \(a), \(b)))" }
        return "(toFloat64(dateDiff('second', \(a), \(b))) / 86400)"
      }
    case .groupRef, .aggregateRef:
      throw SQLCompileFailure("an aggregate's output in a row expression")
    }
  }

  /// A value as the engine prints it: money with two decimals, buckets as their labels.
  func valueExpression(_ expr: BoundExpr) throws(SQLCompileFailure) -> String {
    return shown(try expression(expr), expr.type)
  }

  /// An output over an aggregate's row: `#g…` and `#a…` of the alias `prefix`, combined by the
  /// value rules.
  func outputExpression(_ expr: BoundExpr, prefix: String) throws(SQLCompileFailure) -> String {
    func inner(_ expr: BoundExpr) throws(SQLCompileFailure) -> String {
      switch expr {
      case .groupRef(let index, _): return prefix + dialect.quote("#g\(index)")
      case .aggregateRef(let index, _): return prefix + dialect.quote("#a\(index)")
      case .literal(let value, _): return try literal(value)
      case .arithmetic(let op, let l, let r, let type):
        return try arithmetic(op, try inner(l), try inner(r), type: type, rightType: r.type)
      case .negate(let e): return "(-\(try inner(e)))"
      default: throw SQLCompileFailure("'\(expr)' over an aggregate's row")
      }
    }
    return shown(try inner(expr), expr.type)
  }

  /// A value of a type as the engine shows it: money with two decimals, numbers as doubles.
  func shown(_ sql: String, _ type: DataType) -> String {
    switch type {
    case .money: return dialect.money(sql)
    case .double, .ratio: return dialect.float(sql)
    default: return sql
    }
  }

  /// Arithmetic by ValueRules: money ÷ a count rounded half away from zero to the kopeck
  /// (PostgreSQL's `round(numeric, 2)` does so), division by zero null, numbers as doubles.
  func arithmetic(_ op: BinaryOperator, _ l: String, _ r: String, type: DataType, rightType: DataType)
    throws(SQLCompileFailure) -> String
  {
    switch (type, op) {
    case (.money, .divide):
      return "round(\(dialect.wide(l)) / NULLIF(\(r), 0), 2)"
    case (.int, .add), (.int, .subtract), (.int, .multiply), (.money, .add), (.money, .subtract), (.money, .multiply):
      return "(\(l) \(op.rawValue) \(r))"
    case (_, .divide):
      return "(\(dialect.float(l)) / NULLIF(\(dialect.float(r)), 0))"
    case (_, .add), (_, .subtract), (_, .multiply):
      return "(\(dialect.float(l)) \(op.rawValue) \(dialect.float(r)))"
    default:
      throw SQLCompileFailure("the operator '\(op.rawValue)' is not compiled yet")
    }
  }

  func comparison(_ op: BinaryOperator) throws(SQLCompileFailure) -> String {
    switch op {
    case .equal: return "="
    case .notEqual: return "<>"
    case .less: return "<"
    case .lessEqual: return "<="
    case .greater: return ">"
    case .greaterEqual: return ">="
    default: throw SQLCompileFailure("the comparison '\(op.rawValue)' is not compiled yet")
    }
  }

  /// One aggregate, its own condition as FILTER, its empty value where crmq gives one.
  func aggregateSQL(_ bound: BoundAggregate) throws(SQLCompileFailure) -> String {
    let argument = try bound.argument.map { argument throws(SQLCompileFailure) in try expression(argument) }
    let filter =
      try bound.filter.map { filter throws(SQLCompileFailure) in " FILTER (WHERE \(try expression(filter)))" } ?? ""
    let text: Bool = bound.argument?.type == .string
    var sql: String
    switch bound.function {
    case .count:
      sql = "COUNT(\(argument ?? "*"))\(filter)"
    case .countDistinct:
      sql = "COUNT(DISTINCT \(argument ?? "*"))\(filter)"
    case .sum:
      sql = "SUM(\(argument ?? "1"))\(filter)"
    case .avg:
      guard let argument else { throw SQLCompileFailure("avg of nothing") }
      sql =
        bound.type == .money
        ? "round(\(dialect.wide("SUM(\(argument))\(filter)")) / NULLIF(COUNT(\(argument))\(filter), 0), 2)"
        : "AVG(\(dialect.float(argument)))\(filter)"
    case .min, .max:
      guard let argument else { throw SQLCompileFailure("min or max of nothing") }
      sql = "\(bound.function == .min ? "MIN" : "MAX")(\(argument)\(text ? dialect.bytes : ""))\(filter)"
    case .median:
      guard let argument else { throw SQLCompileFailure("median of nothing") }
      // The two middle values, ordered; their mean (money rounded half away from zero).
      let low: String
      let high: String
      switch dialect {
      case .postgres:
        let own = try bound.filter.map { filter throws(SQLCompileFailure) in " AND " + (try expression(filter)) } ?? ""
        let sorted = "array_agg(\(argument) ORDER BY \(argument)) FILTER (WHERE \(argument) IS NOT NULL\(own))"
        let count = "COUNT(\(argument))\(filter)"
        (low, high) = ("(\(sorted))[(\(count) + 1) / 2]", "(\(sorted))[\(count) / 2 + 1]")
      case .clickhouse:
        // The exact lower and upper medians, of the argument's own type (never `median`, which samples).
        (low, high) = ("quantileExactLow(0.5)(\(argument))\(filter)", "quantileExactHigh(0.5)(\(argument))\(filter)")
      }
      sql =
        bound.type == .money
        ? "round((\(dialect.wide(low)) + \(high)) / 2, 2)"
        : "((\(dialect.float(low)) + \(dialect.float(high))) / 2)"
    }
    switch bound.emptyValue {
    case .int(let zero): sql = "COALESCE(\(sql), \(zero))"
    case .money: sql = "COALESCE(\(sql), \(dialect.moneyLiteral("0.00")))"
    case .double: sql = "COALESCE(\(sql), 0)"
    default: break
    }
    return sql
  }

  /// A time bucket, as the engine labels it: `2026-09-14`, `2026-W38`, `2026-09`, `2026-Q3`,
  /// `2026`, `1 пн`, `09`.
  func bucket(_ grain: TimeGrain, _ value: String, weekStart: Weekday, timestamp: Bool) throws(SQLCompileFailure)
    -> String
  {
    switch grain {
    case .day: return dialect.format(value, postgres: "YYYY-MM-DD", clickhouse: "%Y-%m-%d")
    case .week where weekStart != .monday:
      // The week's first day and its weekday's name, as TimeGrain.format labels such weeks.
      let name = dialect.string(" " + TimeGrain.weekdayNames[weekStart.rawValue - 1])
      let first = dialect.format(weekFirstDay(value, weekStart), postgres: "YYYY-MM-DD", clickhouse: "%Y-%m-%d")
      return dialect == .postgres ? "(\(first) || \(name))" : "concat(\(first), \(name))"
    case .week:
      return dialect.format(value, postgres: "IYYY-\"W\"IW", clickhouse: "%G-W%V")
    case .month: return dialect.format(value, postgres: "YYYY-MM", clickhouse: "%Y-%m")
    case .quarter: return dialect.format(value, postgres: "YYYY-\"Q\"Q", clickhouse: "%Y-Q%Q")
    case .year: return dialect.format(value, postgres: "YYYY", clickhouse: "%Y")
    case .weekday:
      let names = "[" + TimeGrain.weekdayNames.map(dialect.string).joined(separator: ",") + "]"
      switch dialect {
      case .postgres:
        let day = "CAST(EXTRACT(ISODOW FROM \(value)) AS int)"
        return "(\(day) || ' ' || (ARRAY\(names))[\(day)])"
      case .clickhouse:
        return
          "if(\(value) IS NULL, NULL, concat(toString(toDayOfWeek(\(value))), ' ', \(names)[toDayOfWeek(\(value))]))"
      }
    case .hour:
      guard timestamp else { throw SQLCompileFailure("the hour of a date") }
      return dialect.format(value, postgres: "HH24", clickhouse: "%H")
    }
  }

  /// The day a bucket of the earlier period starts on, moved onto the current calendar as
  /// `ComparisonPlan.shifted` moves it: by whole months when both periods are whole months, else
  /// by days; the result is bucketed again.
  func moved(_ grain: TimeGrain, _ value: String, _ shift: ComparisonPlan, weekStart: Weekday)
    throws(SQLCompileFailure) -> String
  {
    let start: String
    switch (dialect, grain) {
    case (_, .weekday), (_, .hour): return value
    case (_, .week) where weekStart != .monday: start = weekFirstDay(value, weekStart)
    case (.postgres, .day): start = "CAST(\(value) AS date)"
    case (.postgres, .week): start = "CAST(date_trunc('week', \(value)) AS date)"
    case (.postgres, .month): start = "CAST(date_trunc('month', \(value)) AS date)"
    case (.postgres, .quarter): start = "CAST(date_trunc('quarter', \(value)) AS date)"
    case (.postgres, .year): start = "CAST(date_trunc('year', \(value)) AS date)"
    case (.clickhouse, .day): start = "toDate32(\(value))"
    case (.clickhouse, .week): start = "toDate32(toStartOfWeek(\(value), 1))"
    case (.clickhouse, .month): start = "toDate32(toStartOfMonth(\(value)))"
    case (.clickhouse, .quarter): start = "toDate32(toStartOfQuarter(\(value)))"
    case (.clickhouse, .year): start = "toDate32(toStartOfYear(\(value)))"
    }
    switch dialect {
    case .postgres:
      return shift.shiftMonths != 0
        ? "CAST(\(start) + make_interval(months => \(shift.shiftMonths)) AS date)" : "(\(start) + \(shift.shiftDays))"
    case .clickhouse:
      return shift.shiftMonths != 0
        ? "addMonths(\(start), \(shift.shiftMonths))" : "addDays(\(start), \(shift.shiftDays))"
    }
  }

  /// The first day of the week (starting on `weekStart`) that a date or timestamp falls in.
  func weekFirstDay(_ value: String, _ weekStart: Weekday) -> String {
    switch dialect {
    case .postgres:
      return "(CAST(\(value) AS date) - ((CAST(EXTRACT(ISODOW FROM \(value)) AS int) - \(weekStart.rawValue) + 7) % 7))"
    case .clickhouse:
      return "addDays(toDate32(\(value)), -((toDayOfWeek(\(value)) - \(weekStart.rawValue) + 7) % 7))"
    }
  }

  /// A literal of the plan: money as numeric kopecks / 100, timestamps and dates typed.
  func literal(_ value: Value) throws(SQLCompileFailure) -> String {
    switch value {
    case .null: return "NULL"
    case .int(let v): return String(v)
    case .double(let v): return v.isFinite ? dialect.float("\(v)") : "NULL"
    case .money(let kopecks): return dialect.moneyLiteral(NumberFormat.money(kopecks))
    case .bool(let b): return b ? "TRUE" : "FALSE"
    case .date(let day): return "DATE '\(CivilDate.format(day))'"
    case .timestamp(let seconds): return dialect.timestampLiteral(CivilDate.formatTimestamp(seconds))
    case .string(let text): return dialect.string(text)
    case .bucket(_, let key): return "DATE '\(CivilDate.format(key))'"
    }
  }

  func isBucket(_ type: DataType) -> Bool {
    if case .bucket = type { return true }
    return false
  }

  func indent(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
  }
}

/// Why a plan did not compile: error E0801 names what is not compiled yet.
public struct SQLCompileFailure: Error, Sendable, Equatable {
  public let reason: String
  public init(_ reason: String) { self.reason = reason }
}
