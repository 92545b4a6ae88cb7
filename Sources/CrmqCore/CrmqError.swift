/// The one error type the public API throws: one or more diagnostics, at least one an error.
///
/// Its description is the rendered text, as the command prints it.
public struct CrmqError: Error, Sendable, CustomStringConvertible {
  public let diagnostics: [Diagnostic]

  public init(_ diagnostics: [Diagnostic]) {
    self.diagnostics = diagnostics
  }

  public init(_ diagnostic: Diagnostic) {
    self.diagnostics = [diagnostic]
  }

  public var description: String {
    DiagnosticRenderer().render(diagnostics)
  }
}
