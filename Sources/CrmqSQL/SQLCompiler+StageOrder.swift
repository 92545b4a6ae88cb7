import CrmqCore
import CrmqPlanner

extension SQLCompiler {
  /// ORDER BY terms for one key: one term, or for a stage in stage order its rank then its name.
  func orderTerms(_ expression: String, type: DataType, descending: Bool, collation: SortCollation) -> [String] {
    let byValue = orderTerm(expression, type: type, descending: descending)
    guard case .stageOrder(let overrides) = collation else { return [byValue] }
    return [stageRank(of: expression, overrides: overrides) + (descending ? " DESC" : " ASC") + " NULLS LAST", byValue]
  }

  /// A stage's place among every stage in stage order (null for one no order names).
  ///
  /// The rule of `StageRanks` in the engine: each pipeline's rows of stages numbered by
  /// stage_order (none last) then name, plus 1 000 000 for won and 2 000 000 for lost stages, a
  /// `stages` statement's list in place of its pipeline's rows; the least rank of a stage counts,
  /// and stages of equal rank by name. The ranking is a list of the stages in that order, the
  /// stage's first place in it the rank.
  func stageRank(of expression: String, overrides: [String: [String]]) -> String {
    func q(_ name: String) -> String { dialect.quote(name) }
    var rows: [String] = []
    let overridden = overrides.keys.sorted()
    if hasStages {
      let kind = "CASE \(q("kind")) WHEN 'won' THEN 1000000 WHEN 'lost' THEN 2000000 ELSE 0 END"
      let number =
        "row_number() OVER (PARTITION BY \(q("pipeline")) ORDER BY \(q("stage_order")) ASC NULLS LAST, "
        + "\(q("stage"))\(dialect.bytes) ASC) - 1"
      rows.append(
        "SELECT \(q("stage")) AS s, CAST(\(kind) + \(number) AS BIGINT) AS r FROM \(q("stages")) "
          + "WHERE \(q("pipeline")) IS NOT NULL AND \(q("stage")) IS NOT NULL "
          + "AND (\(q("stage_order")) IS NOT NULL OR \(q("kind")) IN ('won', 'lost'))"
          + (overridden.isEmpty
            ? "" : " AND \(q("pipeline")) NOT IN (\(overridden.map(dialect.string).joined(separator: ", ")))"))
    }
    for pipeline in overridden {
      for (index, stage) in (overrides[pipeline] ?? []).enumerated() {
        rows.append("SELECT \(dialect.string(stage)) AS s, CAST(\(index) AS BIGINT) AS r")
      }
    }
    if rows.isEmpty {
      rows.append(
        "SELECT CAST(NULL AS \(dialect == .postgres ? "TEXT" : "Nullable(String)")) AS s, CAST(0 AS BIGINT) AS r")
    }
    let ranking = "(" + rows.joined(separator: " UNION ALL ") + ") AS o"
    switch dialect {
    case .postgres:
      return "array_position((SELECT array_agg(s ORDER BY r, s\(dialect.bytes)) FROM \(ranking)), \(expression))"
    case .clickhouse:
      return
        "nullIf(indexOf((SELECT arrayMap(x -> x.2, arraySort(groupArray((r, s)))) FROM \(ranking)), \(expression)), 0)"
    }
  }
}
