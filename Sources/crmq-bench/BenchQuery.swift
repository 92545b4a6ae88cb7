/// One question asked of both engines: crmq's text and the same question in DuckDB's SQL.
struct BenchQuery {
  let crmq: String
  let sql: String

  /// The benchmark's fixed list; `--today 2026-10-05` makes `last month` September 2026.
  static let all: [BenchQuery] = [
    BenchQuery(crmq: "count by stage", sql: "SELECT stage, count(*) FROM deals GROUP BY stage ORDER BY stage"),
    BenchQuery(
      crmq: "count, sum(amount), avg(amount) by pipeline, month where status = 'won'",
      sql: """
        SELECT pipeline, date_trunc('month', created_at) AS m, count(*), sum(amount), avg(amount) FROM deals \
        WHERE status = 'won' GROUP BY 1, 2 ORDER BY 1, 2
        """),
    BenchQuery(
      crmq: "count by source where amount > 50k and created_at >= 2026-01-01 top 5",
      sql: """
        SELECT source, count(*) AS c FROM deals WHERE amount > 50000 AND created_at >= TIMESTAMP '2026-01-01' \
        GROUP BY source ORDER BY c DESC, source LIMIT 5
        """),
    BenchQuery(
      crmq: "show deals where manager = 'Анна Смирнова' order by amount desc limit 10",
      sql: "SELECT * FROM deals WHERE manager = 'Анна Смирнова' ORDER BY amount DESC LIMIT 10"),
    BenchQuery(
      crmq: "median(amount) by manager period last month with total",
      sql: """
        SELECT manager, median(amount) FROM deals WHERE created_at >= TIMESTAMP '2026-09-01' \
        AND created_at < TIMESTAMP '2026-10-01' GROUP BY ROLLUP (manager) ORDER BY manager
        """),
    BenchQuery(crmq: "count of calls by hour", sql: "SELECT hour(started_at) AS h, count(*) FROM calls GROUP BY h ORDER BY h"),
    BenchQuery(
      crmq: "sum(cost) of spend by source period 2026-Q3",
      sql: """
        SELECT source, sum(cost) FROM spend WHERE date >= DATE '2026-07-01' AND date < DATE '2026-10-01' \
        GROUP BY source ORDER BY source
        """),
    BenchQuery(
      crmq: "count(distinct client_id) by manager",
      sql: "SELECT manager, count(DISTINCT client_id) FROM deals GROUP BY manager ORDER BY manager"),
    BenchQuery(
      crmq: "sum(amount), count by month(closed_at) where status = 'won' period 2026",
      sql: """
        SELECT date_trunc('month', closed_at) AS m, sum(amount), count(*) FROM deals WHERE status = 'won' \
        AND created_at >= TIMESTAMP '2026-01-01' AND created_at < TIMESTAMP '2027-01-01' GROUP BY m ORDER BY m
        """),
    BenchQuery(
      crmq: "count of stage_history by stage period 2026-09",
      sql: """
        SELECT stage, count(*) FROM stage_history WHERE entered_at >= TIMESTAMP '2026-09-01' \
        AND entered_at < TIMESTAMP '2026-10-01' GROUP BY stage ORDER BY stage
        """),
    BenchQuery(
      crmq: "avg(duration_sec), count of calls by manager, weekday where status = 'answered'",
      sql: """
        SELECT manager, isodow(started_at) AS d, avg(duration_sec), count(*) FROM calls WHERE status = 'answered' \
        GROUP BY 1, 2 ORDER BY 1, 2
        """),
  ]
}
