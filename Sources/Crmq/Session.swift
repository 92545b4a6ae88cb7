import CrmqCore
import CrmqExecution
import CrmqPlanner
import CrmqSQL
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
  /// Which files `load` may read (and Tab may list): any, by default; `crmq serve` and embedders
  /// that run others' statements name their folders.
  public var loadPolicy = LoadPolicy.unrestricted
  /// Set while `compile(_:to:)` runs: statements that compute an answer become SQL.
  var target: SQLDialect?
  /// The server statements run on and its tables, after `connect(to:)`.
  var warehouse: WarehouseSchemaProvider?

  /// A session over `engine`; `today` (a day number) overrides the engine calendar's today:
  /// `Session(engine: engine, today: SystemClock.parseDate("2026-10-05"))`.
  public init(engine: Engine, today: Int64? = nil) {
    self.engine = engine
    self.calendar = engine.calendar
    self.today = today ?? engine.calendar.currentDay()
  }

  /// Values for `$name` parameters of the statements being run.
  var parameters: [String: Value] = [:]

  /// Runs every statement of `text`.
  ///
  /// `sourceName` is how messages name it (`query`, a file name); `parameters` give `$name`
  /// values, checked against the types they meet:
  ///
  ///     session.run("revenue by month where manager = $who period $year",
  ///                 parameters: ["who": .string("Анна Смирнова")])
  public mutating func run(_ text: String, sourceName: String = "query", parameters: [String: Value] = [:])
    -> [StatementResult]
  {
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
          DiagnosticCode("E0602"), .error, "the query was cancelled", span: parsed.span, label: "not run",
          source: source)
        results.append(
          StatementResult(outcome: .failure([cancelled]), text: source.text(of: parsed.span), milliseconds: 0))
        break
      }
      let started = SystemClock.milliseconds()
      let outcome: StatementResult.Outcome
      if let statement = parsed.statement {
        outcome = checked(execute(statement, source: source), statement, source: source)
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
  public func results(_ text: String, sourceName: String = "query", parameters: [String: Value] = [:]) async
    -> [StatementResult]
  {
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
  var schemas: any SchemaProvider {
    warehouse ?? CatalogSchemaProvider(catalog: engine.catalog, derivedFacts: engine.derivedFacts)
  }

  /// `outcome`, unless a column or index it read from a snapshot turned out damaged: then error
  /// E0523 in its place (what was computed read stand-ins for the damaged part). The snapshot has
  /// removed itself, so the next load reads the files again.
  func checked(_ outcome: StatementResult.Outcome, _ statement: Statement, source: SourceFile)
    -> StatementResult.Outcome
  {
    guard let failure = engine.catalog.readFailure else { return outcome }
    return .failure([
      Diagnostic(
        DiagnosticCode("E0523"), .error, failure, span: statement.span, label: "not answered",
        help: [
          "the snapshot is removed: `.reload` (or running crmq again) reads the files again and writes a new one"
        ], source: source)
    ])
  }

  mutating func execute(_ statement: Statement, source: SourceFile) -> StatementResult.Outcome {
    do {
      switch statement.kind {
      case .query, .show, .funnel:
        if let target {
          let (sql, notes) = try compiled(statement, to: target, source: source)
          return .compiled(sql: sql, notes: notes)
        }
        // parse → bind → plan → optimize → run on the backend.
        let planned = try plan(statement, source: source)
        var result = try backend.run(planned.plan, cancelled: isCancelled)
        result.notes = planned.notes + result.notes + outsideTheData(planned.periods)
        result.periods = planned.periods
        return .table(result)
      case .explainSQL(let inner):
        return .text(try compiled(inner, to: connection?.dialect ?? .postgres, source: source).sql + "\n")
      case .explain(let inner):
        return .text(try explain(inner, source: source))
      case .tables:
        if let warehouse { return .table(serverTablesResult(warehouse.tableSchemas)) }
        return .table(tablesResult())
      case .describe(let name)
      where name.text.lowercased() == "metrics" && engine.catalog.table(named: name.text) == nil:
        return .table(Session.metricsTable())
      case .describe(let name) where warehouse != nil:
        guard let schema = warehouse?.schema(named: name.text) else {
          throw CrmqError(
            Diagnostic.unknownTable(name, known: warehouse?.tableSchemas.map(\.name) ?? []).with(source: source))
        }
        return .table(serverDescribe(schema))
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
        if let target { _ = try compiled(statement, to: target, source: source) }
        if let connection {
          throw CrmqError(
            Diagnostic(
              DiagnosticCode("E0805"), .error, "statements run on \(connection.displayName): a load reads files here",
              span: statement.span, label: "not loaded",
              help: ["put the files on the server with: crmq push --data DIR --to URL"], source: source))
        }
        return .report(try runLoad(load, source: source))
      }
    } catch let error as CrmqError {
      return .failure(error.diagnostics)
    } catch let error as WarehouseError {
      return .failure([
        Session.diagnostic(
          error, span: statement.span, source: source, server: connection?.displayName ?? "the server")
      ])
    } catch let error as SQLCompileFailure {
      return .failure([Session.notCompiled(error.reason, span: statement.span, source: source)])
    } catch let error as FunnelError {
      return .failure([Session.diagnostic(error, span: statement.span, source: source)])
    } catch is CancellationErrorLike {
      return .failure([
        Diagnostic(
          DiagnosticCode("E0602"), .error, "the query was cancelled", span: statement.span, label: "Ctrl-C",
          source: source)
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

  /// A statement planned: its optimised plan, the notes its footer carries, the periods it covers,
  /// and the optimizer rules that changed it.
  struct Planned {
    var plan: LogicalPlan
    var notes: [String]
    var periods: [PeriodRange]
    var applied: [String] = []
  }

  /// Whether the data statements read has a stages table: the server's when connected (the SQL
  /// reads stage orders and kinds there only if it does).
  var hasStages: Bool {
    warehouse.map { $0.schema(named: "stages") != nil } ?? (engine.catalog.table(named: "stages") != nil)
  }

  /// The stage orders a stage dimension sorts in: the `stages` statements' lists, over the stages
  /// table's orders when there is one; nil when neither orders stages (they sort by name).
  var sortingStageOrders: [String: [String]]? {
    hasStages || !stageOrders.isEmpty ? stageOrders : nil
  }

  /// Where plans run: the in-memory engine over the loaded catalog, or a connected server.
  var backend: any ExecutionBackend {
    if let warehouse {
      return WarehouseBackend(connection: warehouse.connection, hasStages: hasStages)
    }
    return InMemoryBackend(catalog: engine.catalog)
  }

  /// Binds a query, a show or a funnel and plans it: every statement that computes an answer is
  /// one logical plan, optimised, which any backend can run.
  func plan(_ statement: Statement, source: SourceFile) throws -> Planned {
    var planned = try logicalPlan(statement, source: source)
    let outcome = try Optimizer(disabled: disabledRules).optimize(planned.plan)
    planned.plan = outcome.plan
    planned.applied = outcome.applied
    return planned
  }

  func logicalPlan(_ statement: Statement, source: SourceFile) throws -> Planned {
    switch statement.kind {
    case .query(let query) where query.compare != nil:
      return try comparePlan(query, source: source)
    case .query(let query):
      let bound = try Binder.bind(query: query, schemas: schemas, context: context, source: source).get()
      return Planned(
        plan: LogicalPlanner.plan(
          bound, tableColumns: tableColumns, stageOrders: sortingStageOrders, derived: schemas.derivedFacts),
        notes: bound.notes,
        periods: Session.periods(of: bound))
    case .show(let show):
      let bound = try Binder.bind(show: show, schemas: schemas, context: context, source: source).get()
      let periods =
        bound.period.map { [PeriodRange(table: bound.table, column: $0.column, start: $0.start, end: $0.end)] } ?? []
      return Planned(
        plan: LogicalPlanner.plan(bound, derived: schemas.derivedFacts), notes: bound.notes, periods: periods)
    case .funnel(let funnel):
      let bound = try Binder.bind(funnel: funnel, schemas: schemas, context: context, source: source).get()
      let periods =
        bound.period.map { [PeriodRange(table: "deals", column: $0.column, start: $0.start, end: $0.end)] } ?? []
      guard
        let comparison = try Binder.comparison(funnel: funnel, schemas: schemas, context: context, source: source).get()
      else {
        return Planned(
          plan: LogicalPlanner.plan(funnel: bound, stageOrders: stageOrders, derived: schemas.derivedFacts),
          notes: bound.notes, periods: periods)
      }
      let earlier = try Binder.bind(
        funnel: funnel, schemas: schemas, context: context(over: comparison), source: source
      ).get()
      return Planned(
        plan: LogicalPlanner.plan(
          funnel: bound, stageOrders: stageOrders, earlier: earlier, comparison: comparison,
          derived: schemas.derivedFacts),
        notes: bound.notes,
        periods: Session.withComparison(periods, comparison))
    default:
      throw CrmqError(
        Diagnostic.bug("plan of a statement that computes no answer", span: statement.span).with(source: source))
    }
  }

  /// The binding context of the earlier period of a compare.
  func context(over comparison: ComparisonPlan) -> BindContext {
    var earlier = context
    earlier.periodOverride = (comparison.start, comparison.end)
    return earlier
  }

  /// A query with `compare`: the query with no order, limit or compare bound over each period,
  /// and the whole query bound for the order and limit of the joined rows.
  func comparePlan(_ query: Query, source: SourceFile) throws -> Planned {
    guard let comparison = try Binder.comparison(query: query, schemas: schemas, context: context, source: source).get()
    else { throw CrmqError(Diagnostic.bug("compare without a comparison").with(source: source)) }
    var plain = query
    plain.compare = nil
    plain.order = nil
    plain.top = nil
    plain.limit = nil
    let current = try Binder.bind(query: plain, schemas: schemas, context: context, source: source).get()
    let previous = try Binder.bind(query: plain, schemas: schemas, context: context(over: comparison), source: source)
      .get()
    let ordered = try Binder.bind(query: query, schemas: schemas, context: context, source: source).get()
    let plan = LogicalPlanner.plan(
      compare: comparison, current: current, previous: previous, ordered: ordered, tableColumns: tableColumns,
      stageOrders: sortingStageOrders, derived: schemas.derivedFacts)
    return Planned(
      plan: plan, notes: current.notes, periods: Session.withComparison(Session.periods(of: current), comparison))
  }

  /// Error E0312 for a funnel that has no stage order for its deals.
  static func diagnostic(_ error: FunnelError, span: SourceSpan, source: SourceFile) -> Diagnostic {
    switch error {
    case .noStageOrder:
      return Diagnostic(
        DiagnosticCode("E0312"), .error, "a funnel needs the order of the stages", span: span,
        label: "no stages.csv and no stage_history.csv",
        help: ["add stages.csv (pipeline, stage, stage_order, kind) or stage_history.csv"], source: source)
    case .pipelinesWithoutOrder(let pipelines, let known):
      let list = pipelines.map { "'\($0.pipeline)' (\($0.deals) deal\($0.deals == 1 ? "" : "s"))" }.joined(
        separator: ", ")
      return Diagnostic(
        DiagnosticCode("E0312"), .error,
        "a funnel needs the order of the stages, and none is known for the pipeline\(pipelines.count == 1 ? "" : "s") \(list)",
        span: span, label: "no stage order for these deals",
        notes: known.isEmpty
          ? [] : [DiagnosticNote("stage orders are known for: " + known.prefix(10).joined(separator: ", "))],
        help: [
          "give the order, the won stage last: stages '\(pipelines[0].pipeline)': 'first stage', 'second stage', …",
          "or add the pipeline to stages.csv (pipeline, stage, stage_order, kind), or load its stage_history",
        ], source: source)
    }
  }

  func explain(_ statement: Statement, source: SourceFile) throws -> String {
    switch statement.kind {
    case .query, .show, .funnel: break
    default:
      throw CrmqError(
        Diagnostic.bug("explain of a statement that is not a query", span: statement.span).with(source: source))
    }
    let planned = try plan(statement, source: source)
    var text = "logical plan:\n" + indent(planned.plan.description)
    text += "\noptimizer rules applied: " + (planned.applied.isEmpty ? "none" : planned.applied.joined(separator: ", "))
    text += "\nphysical plan:\n" + indent(try backend.describe(planned.plan))
    for note in planned.notes { text += "\n" + note }
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
    current
      + current.map {
        PeriodRange(
          table: $0.table, column: $0.column, start: comparison.start, end: comparison.end, isComparison: true)
      }
  }

  func tableColumns(_ table: String) -> [String] {
    if let warehouse { return warehouse.schema(named: table)?.columns.map(\.name) ?? [] }
    return engine.catalog.table(named: table)?.columnNames ?? []
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
            DiagnosticCode("E0104"), .error, "today must be a date", span: expr.span,
            label: "expected a date such as 2026-09-30",
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
            label: "expected monday … sunday", help: ["set first_weekday = sunday   (or пн … вс, or 1 … 7)"],
            source: source))
      }
      calendar.firstWeekday = day
    default:
      let settings = ["today", "first_weekday"]
      let help =
        Suggestions.closest(to: name.text, in: settings).first.map { "did you mean '\($0)'?" }
        ?? "settings: today, first_weekday"
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
      [
        .string(m.name), .string(m.table), m.anchor.map(Value.string) ?? .null, .string(m.type.description),
        .string(m.definition), .string(m.meaning),
      ]
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
      let help =
        Suggestions.closest(to: pipeline.text, in: known).first.map { "did you mean '\($0)'?" }
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
          DiagnosticCode("E0306"), .error, "the stage '\(stage.text)' is listed twice", span: stage.span,
          label: "again",
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
      [
        .string(table.name), .int(Int64(table.rowCount)), .int(Int64(table.columnCount)),
        table.mainDate.map(Value.string) ?? .null,
      ]
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
