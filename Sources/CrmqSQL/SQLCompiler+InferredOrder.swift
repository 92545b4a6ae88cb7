import CrmqCore

extension SQLCompiler {
  /// The stage order inferred from stage_history when there is no stages table, as
  /// `StageOrder.infer` computes it, in common table expressions ending in `io` (p, s, i):
  /// - `iw`: each pipeline's won stage, the stage most of its won deals sit in (equal counts: the
  ///   least name by bytes);
  /// - `ie`: each history entry, once for every pipeline a deal with its id is in, but entries
  ///   into a stage a lost deal sits in or into the pipeline's won stage;
  /// - `ip`: each entry's place k of n in its deal's entries by time, then name, and its position
  ///   ⌊k × 1 000 000 ÷ (n − 1)⌋ (0 when n is 1);
  /// - `isc`: each stage's sum and count of positions;
  /// - `io`: a stage's place is the number of its pipeline's stages with a smaller mean (compared
  ///   as products of integers, exact past 2^63) or the same mean and a smaller name; the won
  ///   stage last, in pipelines with an open stage. Places are BIGINT, as the stages table's are
  ///   (ClickHouse finds no common type for a signed and an unsigned 64-bit place).
  func inferredStageOrder() -> [String] {
    func q(_ name: String) -> String { dialect.quote(name) }
    let deals = q("deals")
    let named = "\(q("pipeline")) IS NOT NULL AND \(q("stage")) IS NOT NULL"
    let wonCounts =
      "SELECT \(q("pipeline")) AS p, \(q("stage")) AS s, COUNT(*) AS c FROM \(deals) "
      + "WHERE \(q("status")) = 'won' AND \(named) GROUP BY \(q("pipeline")), \(q("stage"))"
    let won =
      "SELECT p, s FROM (SELECT p, s, row_number() OVER (PARTITION BY p ORDER BY c DESC, s\(dialect.bytes)) AS r "
      + "FROM (\(wonCounts)) AS wc) AS wr WHERE r = 1"
    let lostStages = "SELECT \(q("stage")) FROM \(deals) WHERE \(q("status")) = 'lost' AND \(named)"
    let entries =
      "SELECT h.\(q("deal_id")) AS dl, dp.p AS p, h.\(q("stage")) AS s, h.\(q("entered_at")) AS t "
      + "FROM \(q("stage_history")) AS h INNER JOIN (SELECT DISTINCT \(q("id")) AS dl, \(q("pipeline")) AS p "
      + "FROM \(deals) WHERE \(q("id")) IS NOT NULL AND \(q("pipeline")) IS NOT NULL) AS dp ON dp.dl = h.\(q("deal_id")) "
      + "LEFT JOIN iw ON iw.p = dp.p "
      + "WHERE h.\(q("stage")) IS NOT NULL AND h.\(q("entered_at")) IS NOT NULL "
      + "AND h.\(q("stage")) NOT IN (\(lostStages)) AND (iw.s IS NULL OR h.\(q("stage")) <> iw.s)"
    let places =
      "SELECT p, s, row_number() OVER (PARTITION BY dl, p ORDER BY t, s\(dialect.bytes)) - 1 AS k, "
      + "COUNT(*) OVER (PARTITION BY dl, p) AS n FROM ie"
    let position = "CASE WHEN n > 1 THEN \(dialect.integerQuotient("k * 1000000", "GREATEST(n - 1, 1)")) ELSE 0 END"
    let scores = "SELECT p, s, SUM(\(position)) AS total, COUNT(*) AS cnt FROM ip GROUP BY p, s"
    let exact = dialect.exactInteger
    let left = "\(exact("b.total")) * \(exact("a.cnt"))"
    let right = "\(exact("a.total")) * \(exact("b.cnt"))"
    let before = "\(left) < \(right) OR (\(left) = \(right) AND b.s\(dialect.bytes) < a.s)"
    let order =
      "SELECT a.p AS p, a.s AS s, CAST(SUM(CASE WHEN \(before) THEN 1 ELSE 0 END) AS BIGINT) AS i "
      + "FROM isc AS a INNER JOIN isc AS b ON b.p = a.p GROUP BY a.p, a.s\nUNION ALL\n"
      + "SELECT iw.p AS p, iw.s AS s, CAST(c.n AS BIGINT) AS i FROM iw INNER JOIN (SELECT p, COUNT(*) AS n FROM isc GROUP BY p) AS c "
      + "ON c.p = iw.p"
    return [
      "iw AS (\n" + indent(won) + "\n)",
      "ie AS (\n" + indent(entries) + "\n)",
      "ip AS (\n" + indent(places) + "\n)",
      "isc AS (\n" + indent(scores) + "\n)",
      "io AS (\n" + indent(order) + "\n)",
    ]
  }
}
