import CrmqCore
import CrmqExecution
import CrmqPlanner
import CrmqSemantics
import CrmqStorage
import CrmqSyntax

/// A conversation with an engine: today's date, `let` segments, and the statements run so far.
///
/// Sessions are cheap values; each holds its own settings over a shared `Engine`.
public struct Session: Sendable {
  /// The data the session reads; assign another engine to swap it (a reload) and keep the session.
  public var engine: Engine
  /// The day relative periods count from: the engine calendar's today unless set.
  public var today: Int64
  /// The first weekday (and zone) this session reads weeks with; the engine's unless set
  /// (`set first_weekday = sunday`).
  public var calendar: CalendarSettings
  var segments: [String: Segment] = [:]
  /// Optimizer rules switched off by name (for tests and for comparing plans).
  public var disabledRules: Set<String> = []
  /// Stage orders set by `stages`, by pipeline.
  var stageOrders: [String: [String]] = [:]
  /// Checked while a query runs (between chunks): a shell sets it on Ctrl-C.
  public var isCancelled: @Sendable () -> Bool = { false }

  /// A session over `engine`; `today` (a day number) overrides the engine calendar's today:
  /// `Session(engine: engine, today: SystemClock.parseDate("2026-10-05"))`.
  public init(engine: Engine, today: Int64? = nil) {
    self.engine = engine
    self.calendar = engine.calendar
    self.today = today ?? engine.calendar.currentDay()
  }

  /// Values for `$name` parameters of the statements being run.
  var parameters: [String: Value] = [:]

  /// Runs every statement of `text`; `sourceName` is how messages name it (`query`, a file name);
  /// `parameters` give `$name` values, checked against the types they meet:
  ///
  ///     session.run("revenue by month where manager = $who period $year",
  ///                 parameters: ["who": .string("Анна Смирнова")])
  public mutating func run(_ text: String, sourceName: String = "query", parameters: [String: Value] = [:]) -> [StatementResult] {
    self.parameters = parameters
    defer { self.parameters = [:] }
    let source = SourceFile(name: sourceName, text: text)
    var results: [StatementResult] = []
    for parsed in Parser.parse(source) {
      // Cancelled between statements: this one is reported cancelled and the rest do not run.
      // (A statement stopped while it ran has said so already.)
      if let last = results.last, isCancelled() {
        if case .failure(let found) = last.outcome, found.first?.code == DiagnosticCode("E0602") { break }
        let cancelled = Diagnostic(
          DiagnosticCode("E0602"), .error, "the query was cancelled", span: parsed.span, label: "not run", source: source)
        results.append(StatementResult(outcome: .failure([cancelled]), text: source.text(of: parsed.span), milliseconds: 0))
        break
      }
      let started = SystemClock.milliseconds()
      let outcome: StatementResult.Outcome
      if let statement = parsed.statement {
        outcome = execute(statement, source: source)
      } else {
        outcome = .failure(parsed.diagnostics)
      }
      results.append(
        StatementResult(
          outcome: outcome, text: source.text(of: parsed.span), milliseconds: SystemClock.milliseconds() - started))
    }
    return results
  }

  /// Runs the statements in the current task: cancelling the task stops a long query between
  /// chunks (its result is error E0602), and the statements after it do not run.
  public func results(_ text: String, sourceName: String = "query", parameters: [String: Value] = [:]) async -> [StatementResult] {
    var copy = self
    let outer = isCancelled
    copy.isCancelled = { Task.isCancelled || outer() }
    return copy.run(text, sourceName: sourceName, parameters: parameters)
  }

  var context: BindContext {
    var context = BindContext(today: today, segments: segments)
    context.parameters = parameters
    context.firstWeekday = calendar.firstWeekday
    return context
  }
  var schemas: CatalogSchemaProvider { CatalogSchemaProvider(catalog: engine.catalog) }

  mutating func execute(_ statement: Statement, source: SourceFile) -> StatementResult.Outcome {
    do {
      switch statement.kind {
      case .funnel(let funnel):
        return .table(try runFunnel(funnel, source: source))
      case .query(let query) where query.compare != nil:
        return .table(try compare(query, statement: statement, source: source))
      case .query, .show:
        let (plan, notes, periods) = try plan(statement, source: source)
        var result = try Executor(catalog: engine.catalog, cancelled: isCancelled).run(plan)
        result.notes = notes
        result.periods = periods
        return .table(result)
      case .explain(let inner):
        return .text(try explain(inner, source: source))
      case .tables:
        return .table(tablesResult())
      case .describe(let name) where name.text.lowercased() == "metrics" && engine.catalog.table(named: name.text) == nil:
        return .table(Session.metricsTable())
      case .describe(let name):
        guard let table = engine.catalog.table(named: name.text) else {
          throw CrmqError(Diagnostic.unknownTable(name, known: engine.tableNames).with(source: source))
        }
        return .table(describe(table))
      case .letSegment(let name, let expr):
        segments[name.text] = Segment(name: name.text, expr: expr, source: source)
        return .done
      case .set(let name, let expr):
        try set(name, expr, source: source)
        return .done
      case .stages(let pipeline, let stages):
        try setStages(pipeline, stages, source: source)
        return .done
      case .load(let load):
        return .report(try runLoad(load, source: source))
      }
    } catch let error as CrmqError {
      return .failure(error.diagnostics)
    } catch is CancellationErrorLike {
      return .failure([
        Diagnostic(DiagnosticCode("E0602"), .error, "the query was cancelled", span: statement.span, label: "Ctrl-C", source: source)
      ])
    } catch let error as PlanInvariantViolation {
      return .failure([Diagnostic.bug(error.description, span: statement.span).with(source: source)])
    } catch let error as ExecutionError {
      if case .overflow(let what) = error {
        return .failure([
          Diagnostic(DiagnosticCode("E0601"), .error, what, span: statement.span, label: "overflow", source: source)
        ])
      }
      return .failure([Diagnostic.bug(error.description, span: statement.span).with(source: source)])
    } catch {
      return .failure([Diagnostic.bug("\(error)", span: statement.span).with(source: source)])
    }
  }

  /// Binds and optimises a query or show; returns the plan, the footer notes and the periods.
  func plan(_ statement: Statement, source: SourceFile) throws -> (LogicalPlan, [String], [PeriodRange]) {
    let optimizer = Optimizer(disabled: disabledRules)
    switch statement.kind {
    case .query(let query):
      let bound = try Binder.bind(query: query, schemas: schemas, context: context, source: source).get()
      return (try optimizer.optimize(LogicalPlanner.plan(bound, tableColumns: tableColumns)).plan, bound.notes, Session.periods(of: bound))
    case .show(let show):
      let bound = try Binder.bind(show: show, schemas: schemas, context: context, source: source).get()
      let periods = bound.period.map { [PeriodRange(table: bound.table, column: $0.column, start: $0.start, end: $0.end)] } ?? []
      return (try optimizer.optimize(LogicalPlanner.plan(bound)).plan, bound.notes, periods)
    default:
      throw CrmqError(Diagnostic.bug("plan of a statement that is not a query", span: statement.span).with(source: source))
    }
  }

  /// Runs the query over its period and over the comparison period, then joins the two; order
  /// and limit apply to the joined rows.
  func compare(_ query: Query, statement: Statement, source: SourceFile) throws -> ResultTable {
    guard let comparison = try Binder.comparison(query: query, schemas: schemas, context: context, source: source).get()
    else { throw CrmqError(Diagnostic.bug("compare without a comparison").with(source: source)) }
    var plain = query
    plain.compare = nil
    plain.order = nil
    plain.top = nil
    plain.limit = nil
    // With every row shown, the compared total is each period's total, compared. With top or
    // limit it covers the rows kept: the periods run without a total, the joined rows are
    // ordered and cut, then each period totals the groups of the rows kept (its buckets moved
    // onto the current calendar to be matched, as the join matches them).
    let keepsSome = query.top != nil || query.limit != nil
    let totalsKept = plain.withTotal && keepsSome
    if totalsKept { plain.withTotal = false }
    let current = try runBound(plain, context: context, source: source)
    var earlier = context
    earlier.periodOverride = (comparison.start, comparison.end)
    let previous = try runBound(plain, context: earlier, source: source)
    var joined = try CompareJoiner.join(current: current, previous: previous, plan: comparison)
    joined.periods = Session.withComparison(current.periods, comparison)
    // Order: as written, else the first measure descending for top, else the dimensions.
    let ordered = try Binder.bind(query: query, schemas: schemas, context: context, source: source).get()
    var keys: [(index: Int, descending: Bool)] = []
    for order in ordered.order {
      let name = ordered.outputs[order.output].name
      if let index = joined.columns.firstIndex(where: { $0.name == name }) { keys.append((index, order.descending)) }
    }
    let sorted = joined.rows.indices.sorted { a, b in
      for (index, descending) in keys {
        let x = joined.rows[a][index]
        let y = joined.rows[b][index]
        if x.isNull != y.isNull { return y.isNull }
        let c = Value.compare(x, y)
        if c != 0 { return descending ? c > 0 : c < 0 }
      }
      return a < b
    }
    joined.rows = sorted.map { joined.rows[$0] }
    if let limit = ordered.limit, joined.rows.count > limit { joined.rows.removeLast(joined.rows.count - limit) }
    var totals: (now: [Value], before: [Value])?
    if totalsKept {
      let dimensions = CompareJoiner.dimensions(joined.columns)
      let kept = Set(joined.rows.map { CompareJoiner.key($0, dimensions: dimensions, plan: comparison, moved: false) })
      var withTotal = plain
      withTotal.withTotal = true
      let now = try runBound(withTotal, context: context, source: source) { kept.contains($0) }
      let before = try runBound(withTotal, context: earlier, source: source) { dimensions in
        kept.contains(dimensions.map { CompareJoiner.moved($0, plan: comparison) })
      }
      if let total = now.total, let earlierTotal = before.total { totals = (total, earlierTotal) }
    } else if plain.withTotal, let total = current.total, let earlierTotal = previous.total {
      totals = (total, earlierTotal)
    }
    if let totals {
      // The totals as one-row tables with no dimension values: joined, they give the total row.
      let row = try CompareJoiner.join(
        current: ResultTable(columns: current.columns, rows: [totals.now]),
        previous: ResultTable(columns: previous.columns, rows: [totals.before]), plan: comparison)
      joined.total = row.rows.first
    }
    return joined
  }

  /// A funnel, and with `compare` the same funnel over the earlier period, joined by stage.
  func runFunnel(_ funnel: Funnel, source: SourceFile) throws -> ResultTable {
    func run(_ context: BindContext) throws -> ResultTable {
      let bound = try Binder.bind(funnel: funnel, schemas: schemas, context: context, source: source).get()
      do {
        var result = try FunnelExecutor(catalog: engine.catalog).run(bound, overrides: stageOrders)
        result.periods = bound.period.map { [PeriodRange(table: "deals", column: $0.column, start: $0.start, end: $0.end)] } ?? []
        return result
      } catch FunnelError.noStageOrder {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0312"), .error, "a funnel needs the order of the stages", span: funnel.span,
            label: "no stages.csv and no stage_history.csv",
            help: ["add stages.csv (pipeline, stage, stage_order, kind) or stage_history.csv"], source: source))
      } catch FunnelError.pipelinesWithoutOrder(let pipelines, let known) {
        let list = pipelines.map { "'\($0.pipeline)' (\($0.deals) deal\($0.deals == 1 ? "" : "s"))" }.joined(separator: ", ")
        let first = pipelines[0].pipeline
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0312"), .error, "a funnel needs the order of the stages, and none is known for the pipeline\(pipelines.count == 1 ? "" : "s") \(list)",
            span: funnel.span, label: "no stage order for these deals",
            notes: known.isEmpty ? [] : [DiagnosticNote("stage orders are known for: " + known.prefix(10).joined(separator: ", "))],
            help: [
              "give the order, the won stage last: stages '\(first)': 'first stage', 'second stage', …",
              "or add the pipeline to stages.csv (pipeline, stage, stage_order, kind), or load its stage_history",
            ], source: source))
      }
    }
    let current = try run(context)
    guard let comparison = try Binder.comparison(funnel: funnel, schemas: schemas, context: context, source: source).get()
    else { return current }
    var earlier = context
    earlier.periodOverride = (comparison.start, comparison.end)
    var joined = try CompareJoiner.join(current: current, previous: try run(earlier), plan: comparison)
    joined.periods = Session.withComparison(current.periods, comparison)
    // Keep the funnel's order: pipeline, dimensions, then the stages in their order.
    let order = (StageOrder.resolve(engine.catalog)?.stages ?? [:]).merging(stageOrders) { $1 }
    let stageColumn = joined.columns.firstIndex { $0.name == "stage" } ?? 0
    func rank(_ row: [Value]) -> Int {
      guard case .string(let pipeline) = row[0], case .string(let stage) = row[stageColumn] else { return Int.max }
      return order[pipeline]?.firstIndex(of: stage) ?? Int.max
    }
    joined.rows.sort { a, b in
      for index in 0..<stageColumn {
        let c = Value.compare(a[index], b[index])
        if c != 0 { return c < 0 }
      }
      return rank(a) < rank(b)
    }
    return joined
  }

  /// `totalOver`: which groups a total row covers, by their dimension values (see `compare`).
  func runBound(
    _ query: Query, context: BindContext, source: SourceFile, totalOver keep: (([Value]) -> Bool)? = nil
  ) throws -> ResultTable {
    let bound = try Binder.bind(query: query, schemas: schemas, context: context, source: source).get()
    let plan = try Optimizer(disabled: disabledRules).optimize(LogicalPlanner.plan(bound, tableColumns: tableColumns)).plan
    var result = try Executor(catalog: engine.catalog, cancelled: isCancelled).run(plan, totalOver: keep)
    result.notes = bound.notes
    result.periods = Session.periods(of: bound)
    return result
  }

  func explain(_ statement: Statement, source: SourceFile) throws -> String {
    let optimizer = Optimizer(disabled: disabledRules)
    let logical: LogicalPlan
    var notes: [String]
    switch statement.kind {
    case .query(let query):
      let bound = try Binder.bind(query: query, schemas: schemas, context: context, source: source).get()
      logical = LogicalPlanner.plan(bound, tableColumns: tableColumns)
      notes = bound.notes
    case .show(let show):
      let bound = try Binder.bind(show: show, schemas: schemas, context: context, source: source).get()
      logical = LogicalPlanner.plan(bound)
      notes = bound.notes
    case .funnel(let funnel):
      let bound = try Binder.bind(funnel: funnel, schemas: schemas, context: context, source: source).get()
      var text = "funnel (\(bound.classic ? "classic: stages each deal entered" : "conversion: up to the furthest stage reached")):\n"
      text += "  deals where \(bound.filter.map(\.description) ?? "true")"
      if !bound.groups.isEmpty { text += "\n  by " + bound.groups.map(\.expr.description).joined(separator: ", ") }
      text += "\n  stage order: " + (engine.catalog.table(named: "stages") != nil ? "stages.csv" : "inferred from stage_history")
      if funnel.compare != nil { text += "\n  compare: a second run over the earlier period, joined by pipeline, dimensions and stage" }
      for note in bound.notes { text += "\n" + note }
      return text + "\n"
    default:
      throw CrmqError(Diagnostic.bug("explain of a statement that is not a query", span: statement.span).with(source: source))
    }
    let outcome = try optimizer.optimize(logical)
    let physical = try PhysicalPlanDescriber(catalog: engine.catalog).describe(outcome.plan)
    var text = "logical plan:\n" + indent(outcome.plan.description)
    text += "\noptimizer rules applied: " + (outcome.applied.isEmpty ? "none" : outcome.applied.joined(separator: ", "))
    text += "\nphysical plan:\n" + indent(physical)
    for note in notes { text += "\n" + note }
    return text + "\n"
  }

  /// The ranges a query's measures were computed over: one per table and date column.
  static func periods(of bound: BoundQuery) -> [PeriodRange] {
    var out: [PeriodRange] = []
    for source in bound.sources {
      guard let period = source.period else { continue }
      let range = PeriodRange(table: source.table, column: period.column, start: period.start, end: period.end)
      if !out.contains(range) { out.append(range) }
    }
    return out
  }

  /// The current ranges, then the same tables and columns over the earlier range of a compare.
  static func withComparison(_ current: [PeriodRange], _ comparison: ComparisonPlan) -> [PeriodRange] {
    current + current.map {
      PeriodRange(table: $0.table, column: $0.column, start: comparison.start, end: comparison.end, isComparison: true)
    }
  }

  func tableColumns(_ table: String) -> [String] {
    engine.catalog.table(named: table)?.columns.map(\.name) ?? []
  }

  func indent(_ text: String) -> String {
    text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
  }

  mutating func set(_ name: Name, _ expr: Expr, source: SourceFile) throws {
    switch name.text.lowercased() {
    case "today":
      guard case .period(.day(let day)) = expr.kind else {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0104"), .error, "today must be a date", span: expr.span, label: "expected a date such as 2026-09-30",
            source: source))
      }
      today = day
    case "first_weekday":
      let word: String?
      switch expr.kind {
      case .name(let text, _), .string(let text): word = text
      case .number(let number) where number.scale == 0: word = String(number.mantissa)
      default: word = nil
      }
      guard let word, let day = Weekday(name: word) else {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0104"), .error, "first_weekday must be a day of the week", span: expr.span,
            label: "expected monday … sunday", help: ["set first_weekday = sunday   (or пн … вс, or 1 … 7)"], source: source))
      }
      calendar.firstWeekday = day
    default:
      let settings = ["today", "first_weekday"]
      let help = Suggestions.closest(to: name.text, in: settings).first.map { "did you mean '\($0)'?" } ?? "settings: today, first_weekday"
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0308"), .error, "unknown setting '\(name.text)'", span: name.span, label: "not a setting",
          help: [help], source: source))
    }
  }

  /// `describe metrics`: every built-in measure with its definition.
  public static func metricsTable() -> ResultTable {
    let columns = [
      ResultColumn(name: "measure", type: .string, role: .dimension),
      ResultColumn(name: "table", type: .string, role: .field),
      ResultColumn(name: "date", type: .string, role: .field),
      ResultColumn(name: "type", type: .string, role: .field),
      ResultColumn(name: "definition", type: .string, role: .field),
      ResultColumn(name: "meaning", type: .string, role: .field),
    ]
    let rows = SemanticModel.measures.map { m -> [Value] in
      [.string(m.name), .string(m.table), m.anchor.map(Value.string) ?? .null, .string(m.type.description),
       .string(m.definition), .string(m.meaning)]
    }
    return ResultTable(
      columns: columns, rows: rows,
      notes: [
        "a period applies to each measure through its date; measures of different tables or dates are joined on the dimensions",
        "a ratio whose denominator is 0 or null is null; money divided by a count is rounded half away from zero to the kopeck",
      ])
  }

  /// `stages <pipeline>: …`: the pipeline must exist; its funnels then use this order.
  mutating func setStages(_ pipeline: Name, _ stages: [Name], source: SourceFile) throws {
    let known = schemas.values(of: "pipeline", in: "deals")?.map(\.value) ?? []
    guard known.contains(pipeline.text) else {
      let help = Suggestions.closest(to: pipeline.text, in: known).first.map { "did you mean '\($0)'?" }
        ?? "pipelines: " + known.map { "'\($0)'" }.joined(separator: ", ")
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0303"), .error, "no deals are in the pipeline '\(pipeline.text)'", span: pipeline.span,
          label: "not a pipeline", help: [help], source: source))
    }
    var seen = Set<String>()
    for stage in stages where !seen.insert(stage.text).inserted {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0306"), .error, "the stage '\(stage.text)' is listed twice", span: stage.span, label: "again",
          source: source))
    }
    stageOrders[pipeline.text] = stages.map(\.text)
  }

  func tablesResult() -> ResultTable {
    let columns = [
      ResultColumn(name: "table", type: .string, role: .dimension),
      ResultColumn(name: "rows", type: .int, role: .measure),
      ResultColumn(name: "columns", type: .int, role: .measure),
      ResultColumn(name: "main date", type: .string, role: .field),
    ]
    let rows = engine.catalog.tables.map { table -> [Value] in
      [.string(table.name), .int(Int64(table.rowCount)), .int(Int64(table.columns.count)), table.mainDate.map(Value.string) ?? .null]
    }
    return ResultTable(columns: columns, rows: rows)
  }

  func describe(_ table: Table) -> ResultTable {
    let columns = [
      ResultColumn(name: "column", type: .string, role: .dimension),
      ResultColumn(name: "type", type: .string, role: .field),
      ResultColumn(name: "nulls", type: .int, role: .measure),
      ResultColumn(name: "distinct", type: .int, role: .measure),
      ResultColumn(name: "min", type: .string, role: .field),
      ResultColumn(name: "max", type: .string, role: .field),
    ]
    let rows = table.columns.map { column -> [Value] in
      var nulls: Int64 = 0
      var distinct: Value = .null
      var low: Value = .null
      var high: Value = .null
      switch column.data {
      case .dictionary(_, let dictionary):
        nulls = Int64(dictionary.nullCount)
        distinct = .int(Int64(dictionary.count - 1))
      case .int64:
        nulls = Int64(column.chunkStats.reduce(0) { $0 + $1.nullCount })
        if let range = column.range {
          let wrap = { (v: Int64) -> Value in
            switch column.type {
            case .money: return .money(v)
            case .date: return .date(v)
            case .timestamp: return .timestamp(v)
            case .bool: return .bool(v != 0)
            default: return .int(v)
            }
          }
          low = .string(ValueFormatter.display(wrap(range.min)))
          high = .string(ValueFormatter.display(wrap(range.max)))
        }
      case .double:
        nulls = Int64((0..<column.count).filter { !column.isValid($0) }.count)
      }
      return [.string(column.name), .string(column.type.description), .int(nulls), distinct, low, high]
    }
    return ResultTable(columns: columns, rows: rows, notes: table.mainDate.map { ["main date: \($0)"] } ?? [])
  }
}
