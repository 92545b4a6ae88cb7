import CrmqCore
import CrmqPlanner
import CrmqSemantics

extension SQLCompiler {
  /// A funnel as FunnelExecutor counts it, in one statement.
  ///
  /// Its parts:
  /// - `ord`: each pipeline's stages in order (stages' open and won stages by stage_order, then
  ///   name; a pipeline the session's `stages` statement ordered, that order instead), 0-based;
  /// - `d`: the deals asked for (where, period) whose pipeline has an order;
  /// - `hs`: the ordered stages each deal's history entered; `fur`, the furthest of them;
  /// - a deal's furthest stage: from its history, else (conversion funnel) the last stage for a
  ///   won deal, the first for a lost one, its current stage otherwise;
  /// - per key (pipeline, dimensions) and stage: `deals` counts the deals whose furthest stage is
  ///   at or past it (conversion), or whose history entered it (classic, where `skipped` counts
  ///   those past it that did not);
  /// - step_conversion over the stage before, total_conversion over the first stage; ordered by
  ///   pipeline, dimensions, then the stage order.
  func funnel(_ node: FunnelPlan) throws(SQLCompileFailure) -> String {
    guard let earlierFunnel = node.earlier, let comparison = node.comparison else {
      return try funnelCounts(node, node.funnel, ordered: true)
    }
    // With compare: both periods' rows joined on pipeline, dimensions and stage, as a query's
    // periods are (the earlier one's buckets moved), ordered by pipeline, dimensions, the
    // stage order.
    var earlier = self
    earlier.shift = comparison
    let columns = FunnelPlan.columns(node.funnel)
    let keys = columns.filter { $0.role == .dimension }.map { dialect.quote($0.name) }
    let measures = columns.filter { $0.role != .dimension }
    let place = dialect.quote("#i")
    let match = { (side: String) in
      "LEFT JOIN \(side) ON " + keys.map { "k.\($0) IS NOT DISTINCT FROM \(side).\($0)" }.joined(separator: " AND ")
    }
    let joined =
      "SELECT "
      + (keys.map { "k.\($0) AS \($0)" } + comparedMeasures(measures, now: "cur", before: "prev")
      + ["COALESCE(cur.\(place), prev.\(place)) AS \(place)"]).joined(separator: ", ")
      + "\nFROM k\n" + match("cur") + "\n" + match("prev")
    let names = Compare.columns(columns).map { dialect.quote($0.name) }
    var order = [orderTerm(dialect.quote("pipeline"), type: .string, descending: false)]
    order += node.funnel.groups.map { orderTerm(dialect.quote($0.name), type: $0.expr.type, descending: false) }
    order += ["\(place) ASC", orderTerm(dialect.quote("stage"), type: .string, descending: false)]
    return "WITH cur AS (\n" + indent(try funnelCounts(node, node.funnel, ordered: false)) + "\n),\nprev AS (\n"
      + indent(try earlier.funnelCounts(node, earlierFunnel, ordered: false)) + "\n),\nk AS (\n"
      + indent(
        "SELECT \(keys.joined(separator: ", ")) FROM cur\nUNION DISTINCT\nSELECT \(keys.joined(separator: ", ")) FROM prev"
      )
      + "\n)\nSELECT " + names.joined(separator: ", ") + " FROM (\n" + indent(joined) + "\n) AS q\nORDER BY "
      + order.joined(separator: ", ")
  }

  /// One period's funnel counts: ordered for a result, or with each stage's place `#i` for a
  /// compare to order by.
  func funnelCounts(_ node: FunnelPlan, _ funnel: BoundFunnel, ordered: Bool) throws(SQLCompileFailure) -> String {
    func q(_ name: String) -> String { dialect.quote(name) }
    let keys = [q("#p")] + funnel.groups.indices.map { q("#g\($0)") }
    func match(_ a: String, _ b: String) -> String {
      keys.map { "\(a).\($0) IS NOT DISTINCT FROM \(b).\($0)" }.joined(separator: " AND ")
    }
    let partition = "PARTITION BY " + keys.joined(separator: ", ")

    // The stage orders: the table's (or inferred from the history without one), but for
    // pipelines `stages` ordered in the session.
    let overridden = node.stageOrders.keys.sorted()
    let notOverridden =
      overridden.isEmpty ? "" : " NOT IN (\(overridden.map(dialect.string).joined(separator: ", ")))"
    var orders: [String]
    var inference: [String] = []
    if hasStages {
      let known =
        "\(q("pipeline")) IS NOT NULL AND \(q("stage")) IS NOT NULL AND \(q("kind")) IS NOT NULL "
        + "AND \(q("kind")) <> 'lost' AND \(q("stage_order")) IS NOT NULL"
      orders = [
        "SELECT \(q("pipeline")) AS p, \(q("stage")) AS s, row_number() OVER (PARTITION BY \(q("pipeline")) "
          + "ORDER BY \(q("stage_order")), \(q("stage"))\(dialect.bytes)) - 1 AS i FROM \(q("stages")) WHERE \(known)"
          + (overridden.isEmpty ? "" : " AND \(q("pipeline"))" + notOverridden)
      ]
    } else {
      inference = inferredStageOrder()
      orders = ["SELECT p, s, i FROM io" + (overridden.isEmpty ? "" : " WHERE p" + notOverridden)]
    }
    for pipeline in overridden {
      for (index, stage) in (node.stageOrders[pipeline] ?? []).enumerated() {
        orders.append("SELECT \(dialect.string(pipeline)) AS p, \(dialect.string(stage)) AS s, \(index) AS i")
      }
    }

    let deals = table("deals", deriving: node.derived)
    var conditions: [String] = []
    if let filter = funnel.filter { conditions.append(try condition(filter)) }
    conditions.append("\(q("pipeline")) IN (SELECT p FROM ord)")
    let dimensions = try funnel.groups.enumerated().map { index, group throws(SQLCompileFailure) in
      try expression(group.expr) + " AS " + q("#g\(index)")
    }
    var columns = ["id": "#id", "pipeline": "#p", "status": "#status", "stage": "#stage"].sorted { $0.value < $1.value }
      .map { "\(q($0.key)) AS \(q($0.value))" }
    columns += dimensions
    let selected =
      "SELECT " + columns.joined(separator: ", ") + " FROM " + deals + " WHERE " + conditions.joined(separator: " AND ")
    let entered =
      "SELECT DISTINCT d.\(q("#id")) AS \(q("#id")), o.i AS i FROM d INNER JOIN \(q("stage_history")) AS h "
      + "ON h.\(q("deal_id")) = d.\(q("#id")) INNER JOIN ord AS o ON o.p = d.\(q("#p")) AND o.s = h.\(q("stage")) "
      + "WHERE h.\(q("entered_at")) IS NOT NULL"
    let furthest =
      funnel.classic
      ? "fur.furthest"
      : "COALESCE(fur.furthest, CASE WHEN d.\(q("#status")) = 'won' THEN pn.n - 1 WHEN d.\(q("#status")) = 'lost' THEN 0 "
        + "ELSE COALESCE(cur.i, 0) END)"
    let withFurthest =
      "SELECT d.*, \(furthest) AS furthest FROM d LEFT JOIN fur ON fur.\(q("#id")) = d.\(q("#id"))"
      + (funnel.classic
        ? ""
        : " INNER JOIN (SELECT p, COUNT(*) AS n FROM ord GROUP BY p) AS pn ON pn.p = d.\(q("#p"))"
          + " LEFT JOIN ord AS cur ON cur.p = d.\(q("#p")) AND cur.s = d.\(q("#stage"))")
    let keyList = keys.joined(separator: ", ")
    var ctes =
      inference + [
        "ord AS (\n" + indent(orders.joined(separator: "\nUNION ALL\n")) + "\n)",
        "d AS (\n" + indent(selected) + "\n)",
        "hs AS (\n" + indent(entered) + "\n)",
        "fur AS (SELECT \(q("#id")), MAX(i) AS furthest FROM hs GROUP BY 1)",
        "f AS (\n" + indent(withFurthest) + "\n)",
        "grid AS (SELECT k.*, o.s AS stage, o.i AS i FROM (SELECT DISTINCT \(keyList) FROM d) AS k "
          + "INNER JOIN ord AS o ON o.p = k.\(q("#p")))",
        "ends AS (SELECT \(keyList), furthest AS i, COUNT(*) AS e FROM f WHERE furthest IS NOT NULL GROUP BY \(keyList), furthest)",
      ]
    // Named one by one: ClickHouse renames a star's columns that another joined table shares.
    var counted = (keys + ["stage", "i"]).map { "grid.\($0) AS \($0)" }
    counted.append(
      "SUM(COALESCE(ends.e, 0)) OVER (PARTITION BY \(keys.map { "grid.\($0)" }.joined(separator: ", ")) "
        + "ORDER BY grid.i DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS past")
    var joins = "FROM grid LEFT JOIN ends ON \(match("grid", "ends")) AND ends.i = grid.i"
    if funnel.classic {
      ctes.append(
        "hits AS (SELECT " + keys.map { "d.\($0) AS \($0)" }.joined(separator: ", ")
          + ", hs.i AS i, COUNT(*) AS r FROM hs INNER JOIN d ON d.\(q("#id")) = hs.\(q("#id")) GROUP BY "
          + keys.map { "d.\($0)" }.joined(separator: ", ") + ", hs.i)")
      counted.append("COALESCE(hits.r, 0) AS hit")
      joins += " LEFT JOIN hits ON \(match("grid", "hits")) AND hits.i = grid.i"
    }
    ctes.append("c AS (\n" + indent("SELECT " + counted.joined(separator: ", ") + "\n" + joins) + "\n)")
    let count = funnel.classic ? "hit" : "past"
    let window = "\(partition) ORDER BY i"
    var outputs = ["\(q("#p")) AS \(q("pipeline"))"]
    outputs += funnel.groups.enumerated().map { "\(q("#g\($0)")) AS \(q($1.name))" }
    let before: String = dialect.float("MAX(\(count)) OVER (\(window) ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING)")
    let first: String = dialect.float(
      "first_value(\(count)) OVER (\(window) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")
    let share: String = dialect.float(count)
    outputs.append("stage AS \(q("stage"))")
    outputs.append("\(count) AS \(q("deals"))")
    outputs.append("(\(share) / NULLIF(\(before), 0)) AS \(q("step_conversion"))")
    outputs.append("(\(share) / NULLIF(\(first), 0)) AS \(q("total_conversion"))")
    if funnel.classic { outputs.append("(past - hit) AS \(q("skipped"))") }
    if !ordered { outputs.append("i AS \(q("#i"))") }
    var order = [orderTerm(q("#p"), type: .string, descending: false)]
    order += funnel.groups.enumerated().map { orderTerm(q("#g\($0)"), type: $1.expr.type, descending: false) }
    order.append("i ASC")
    return "WITH " + ctes.joined(separator: ",\n") + "\nSELECT " + outputs.joined(separator: ", ") + " FROM c"
      + (ordered ? "\nORDER BY " + order.joined(separator: ", ") : "")
  }
}
