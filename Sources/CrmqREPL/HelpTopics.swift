import Crmq
import CrmqSemantics

/// What `.help TOPIC` says: a clause of the language, a built-in measure's definition, or the
/// line of a dot command.
enum HelpTopics {
  static let clauses: [String: String] = [
    "by": """
    by DIMENSIONS — group the measures: any column (manager, source, "Город"), or a time bucket of
    the measure's date: day, week (ISO, from Monday), month, quarter, year, weekday, hour.
      won, revenue by manager, month
    """,
    "where": """
    where CONDITION — keep rows: = != < <= > >=, in (…), between … and …, contains …,
    starts with …, is [not] null; and / or / not. Texts in single quotes; 50k and 1.5m are numbers.
      deals where source in ('Сайт', 'Яндекс Директ') and amount > 50k
      count where client contains 'Альфа' and loss_reason is not null
    """,
    "period": """
    period RANGE — each measure's own date in the range: month (this one, to date), last month,
    last 3 months, likewise day, week, quarter, year; 2026-09, 2026-Q3, 2026, 2026-09-01..2026-09-15.
      won, revenue by manager period last month
      deals by week period 2026-09-01..2026-09-15
    """,
    "compare": """
    compare previous | year | PERIOD — the same measures over another period, with the change.
    A period still under way is set against the same number of days of the other one.
      deals, won, revenue by source period month compare previous
    """,
    "funnel": """
    funnel [classic] [by DIMENSION] — deals reaching each stage of each pipeline and the share
    that went on; classic counts the stages a deal passed through (needs stage_history.csv).
      funnel by source period 2026-Q3
    """,
    "top": """
    top N — the N groups with the largest first measure (ties: the next measures, then the
    dimensions); limit N cuts rows as they come; order by … asc|desc; with total adds a total row.
      revenue by client top 10 with total
    """,
    "order": """
    order by OUTPUT [asc|desc], … — order the rows by a measure or a dimension (ties: the other
    dimensions); a stage sorts in its pipeline's order. Without it, rows follow the dimensions.
      won, revenue by manager order by revenue desc limit 5
    """,
    "limit": """
    limit N — keep the first N rows in the order asked; top N orders by the first measure too.
      show deals order by amount desc limit 10
    """,
    "with": """
    with total — a last row of every measure over exactly the rows shown (a median of all their
    deals, a ratio of the totals), after top and limit too.
      deals, revenue, win_rate by source top 3 with total
    """,
    "of": """
    of TABLE — count and sum over another table than deals (calls, spend, stage_history, plans);
    built-in measures know their own table.
      count, sum(duration_sec) of calls by manager where status = 'answered'
    """,
    "stages": """
    stages 'PIPELINE': 'STAGE', 'STAGE', … — the order of a pipeline's stages for this session, in
    place of stages.csv's (funnels, and stages sorted in stage order).
      stages 'Продажи': 'Новая заявка', 'Переговоры', 'Успешно реализовано'
    """,
    "explain": """
    explain QUERY — the logical plan, the optimizer rules applied and how the engine runs it;
    explain sql QUERY — the PostgreSQL statement crmq would send.
      explain won by manager period 2026-09
    """,
    "let": """
    let NAME = CONDITION — a named segment to use in where; set today = DATE;
    set first_weekday = sunday (weeks start on it: week buckets, period week, last 4 weeks).
      let big = amount > 100k
      won by manager where big
    """,
    "show": """
    show TABLE [columns a, b, …] [where …] [order by …] [limit N] — the rows themselves, ordered
    by what was asked, then every column shown.
      show deals columns name, manager, amount where amount > 1m order by amount desc limit 10
    """,
    "map": """
    load 'FILE' [sheet 'NAME'] [as TABLE] [map COLUMN = FILE_COLUMN, …, status from FILE_COLUMN ('VALUE' = won, …)] —
    read a file into a table (deals unless named), each canonical column from the file's column
    named (or its own name); for deals, the status from a column's values (others mean open).
    Dates dd.mm.yyyy or ISO, amounts like 50 000,00, any delimiter and encoding. The report says
    what was mapped; a column the file lacks is an error with did-you-mean.
    """,
    "measures": """
    Built-in measures know their table and date: deals, won, lost, revenue, win_rate, avg_check,
    cycle, calls, spend, romi, plan_done, … — .metrics lists all; .help MEASURE shows one.
    """,
  ]

  /// The text for a topic, or nil when there is none: a clause's (and its command's lines, as for
  /// `load`), a measure's definition, or a command's lines.
  static func text(_ topic: String, commandHelp: String) -> String? {
    var key = topic.lowercased().trimmingWhitespace()
    if key == "load" { key = "map" }
    if let clause = clauses[key] {
      return clause + "\n" + (key == "map" ? commandLines(".load", commandHelp).map { "\n" + $0 } ?? "" : "")
    }
    if let measure = SemanticModel.measures.first(where: { $0.name == key }) {
      let date = measure.anchor.map { ", dated by \($0)" } ?? ""
      return
        "\(measure.name) (\(measure.type.description), of \(measure.table)\(date)): \(measure.meaning)\n  = \(measure.definition)\n"
    }
    return commandLines(key.hasPrefix(".") ? key : "." + key, commandHelp)
  }

  /// A command's lines of the help, with the lines that continue them.
  static func commandLines(_ command: String, _ commandHelp: String) -> String? {
    var lines: [String] = []
    var inside = false
    for line in commandHelp.split(separator: "\n").map(String.init) {
      let text = line.trimmingWhitespace()
      // A line indented to the descriptions continues the entry above it.
      if !line.hasPrefix(String(repeating: " ", count: 28)) {
        inside = text.hasPrefix(command + " ") || text == command
      }
      if inside { lines.append(line.hasPrefix("  ") ? String(line.dropFirst(2)) : line) }
    }
    return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
  }

  /// The example lines of a topic (indented), for tests that keep the help true.
  static func examples(_ topic: String) -> [String] {
    (clauses[topic] ?? "").split(separator: "\n").filter { $0.hasPrefix("  ") }.map { String($0).trimmingWhitespace() }
  }

  static var names: [String] {
    clauses.keys.sorted() + SemanticModel.measures.map(\.name)
  }
}
