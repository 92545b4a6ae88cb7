import CrmqCore

/// The outcome of one statement of a script.
public struct StatementResult: Sendable {
  /// What a statement gave: a table, a text (`explain`), nothing (`let`, `set`), or diagnostics.
  public enum Outcome: Sendable {
    /// A table of answers.
    case table(ResultTable)
    /// Text, such as a plan from `explain`.
    case text(String)
    /// What the statement did, for the person running it: the `load` statement's report. It is
    /// no answer, so machine-readable output sends it to standard error.
    case report(String)
    /// The statement compiled to SQL (`Session.compile`), and the notes its result would carry.
    case compiled(sql: String, notes: [String])
    /// The statement changed the session (`let`, `set`) and prints nothing.
    case done
    /// The statement failed; nothing else ran for it.
    case failure([Diagnostic])
  }

  /// The table, text or diagnostics.
  public var outcome: Outcome
  /// The statement as written.
  public var text: String
  /// Time spent on the statement, in milliseconds.
  public var milliseconds: Double

  /// True when the statement failed: `if results.contains(where: \.failed) { exit(1) }`.
  public var failed: Bool {
    if case .failure = outcome { return true }
    return false
  }
}
