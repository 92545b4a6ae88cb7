/// The one error type the public API throws: one or more diagnostics, at least one an error.
///
/// Its description is the rendered text, as the command prints it.
public struct CrmqError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, each with code, message, span and help: `error.diagnostics.first?.code`.
  public let diagnostics: [Diagnostic]

  /// An error of several diagnostics (a script with several bad statements).
  public init(_ diagnostics: [Diagnostic]) {
    self.diagnostics = diagnostics
  }

  /// An error of one diagnostic.
  public init(_ diagnostic: Diagnostic) {
    self.diagnostics = [diagnostic]
  }

  /// The diagnostics rendered as the command prints them, with the source line and carets.
  public var description: String {
    DiagnosticRenderer().render(diagnostics)
  }
}
