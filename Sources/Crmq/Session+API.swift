import CrmqCore
import CrmqSyntax

/// What an embedder asks besides running statements.
extension Session {
  /// The plan of a query, as `explain` prints it; nil with the diagnostics when it does not bind.
  public mutating func explain(_ query: String, parameters: [String: Value] = [:]) -> Result<String, CrmqError> {
    let results = run("explain " + query, parameters: parameters)
    switch results.first?.outcome {
    case .text(let text): return .success(text)
    case .failure(let diagnostics): return .failure(CrmqError(diagnostics))
    default: return .failure(CrmqError(Diagnostic.bug("explain gave no plan")))
    }
  }

  /// The built-in measures: name, table, date, type, definition, meaning.
  public func describeMetrics() -> ResultTable { Session.metricsTable() }

  /// Checks a statement's syntax once; run it later with different parameters.
  public func prepare(_ text: String) -> Result<PreparedStatement, CrmqError> {
    let source = SourceFile(name: "query", text: text)
    let parsed = Parser.parse(source)
    let problems = parsed.flatMap(\.diagnostics)
    if !problems.isEmpty { return .failure(CrmqError(problems)) }
    return .success(PreparedStatement(text: text))
  }
}

/// A statement whose syntax has been checked, to run with parameters:
///
///     let byManager = try session.prepare("won, revenue by manager where amount > $min").get()
///     let results = byManager.run(in: &session, parameters: ["min": .int(50_000)])
public struct PreparedStatement: Sendable {
  /// The statement as written.
  public let text: String

  /// Runs the statement in `session` with these parameter values: `prepared.run(in: &session, parameters: ["min": .int(50_000)])`.
  public func run(in session: inout Session, parameters: [String: Value] = [:]) -> [StatementResult] {
    session.run(text, parameters: parameters)
  }
}
