import CrmqCore
import CrmqPlanner
import CrmqSQL
import CrmqSyntax

extension Session {
  /// Every statement of `text` compiled for `dialect` instead of run: a query, a show or a funnel
  /// becomes one SQL statement over the canonical tables (`.text`, ending with `;`), with the
  /// same plan the in-memory engine runs; `let`, `set` and `stages` change the session as they
  /// do when run.
  ///
  /// A statement that does not compile is error E0801 naming why.
  ///
  ///     var session = Session(engine: engine, today: SystemClock.parseDate("2026-10-05"))
  ///     let sql = session.compile("revenue by manager period 2026-09", to: .postgres)
  public mutating func compile(_ text: String, to dialect: SQLDialect, sourceName: String = "query")
    -> [StatementResult]
  {
    let previous = target
    target = dialect
    defer { target = previous }
    return run(text, sourceName: sourceName)
  }

  /// The SQL of a statement that computes an answer, and its notes.
  func compiled(_ statement: Statement, to dialect: SQLDialect, source: SourceFile) throws -> (
    sql: String, notes: [String]
  ) {
    switch statement.kind {
    case .query, .show, .funnel:
      let planned = try plan(statement, source: source)
      do {
        var compiler = SQLCompiler(dialect: dialect)
        compiler.hasStages = hasStages
        return (try compiler.compile(planned.plan), planned.notes)
      } catch {
        throw CrmqError(Session.notCompiled(error.reason, span: statement.span, source: source))
      }
    case .load:
      throw CrmqError(
        Session.notCompiled(
          "a load reads files here; put them on the server with crmq push", span: statement.span, source: source))
    default:
      throw CrmqError(Session.notCompiled("this statement has no SQL", span: statement.span, source: source))
    }
  }

  static func notCompiled(_ reason: String, span: SourceSpan, source: SourceFile) -> Diagnostic {
    Diagnostic(
      DiagnosticCode("E0801"), .error, "not compiled to SQL: \(reason)", span: span, label: "runs in memory only",
      help: ["it runs in memory as it is (without --target); docs/sql.md lists what compiles"], source: source)
  }
}
