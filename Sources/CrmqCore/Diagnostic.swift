/// How bad a diagnostic is.
public enum Severity: String, Sendable, Equatable {
  case error
  case warning
  case note
}

/// A stable diagnostic code such as `E0301`.
///
/// Ranges by stage: E01xx lexer, E02xx parser, E03xx names, E04xx types, E05xx import,
/// E06xx runtime, E09xx internal. A code never changes meaning; docs/errors.md lists them.
public struct DiagnosticCode: Hashable, Sendable, CustomStringConvertible {
  /// The code as written: `E0301`.
  public let rawValue: String
  /// A code: `DiagnosticCode("E0301")`; docs/errors.md lists them.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  /// The code as written.
  public var description: String { rawValue }
}

/// A secondary message, optionally pointing at its own place in the source.
public struct DiagnosticNote: Sendable, Equatable {
  /// The text of the message.
  public var message: String
  /// Where in the source it points, when it does.
  public var span: SourceSpan?
  /// A note, pointing into the source when `span` is given.
  public init(_ message: String, span: SourceSpan? = nil) {
    self.message = message
    self.span = span
  }
}

/// One problem found in a query, a script or a data file, as plain data.
///
/// Detecting a problem and drawing it are separate jobs: stages create diagnostics, and
/// `DiagnosticRenderer` draws them with the source line and carets.
public struct Diagnostic: Sendable, Equatable, Error {
  /// The stable code, `E0301`; docs/errors.md explains each.
  public var code: DiagnosticCode
  /// Error or warning.
  public var severity: Severity
  /// The message: `unknown column 'stag'`.
  public var message: String
  /// Where in `source` the problem is.
  public var span: SourceSpan?
  /// A short text printed after the carets.
  public var label: String?
  /// Further remarks, some pointing at other places.
  public var notes: [DiagnosticNote]
  /// What to do about it: `did you mean 'stage'?`.
  public var help: [String]
  /// The text the span points into; set by whoever knows it (the session for queries).
  public var source: SourceFile?

  /// A diagnostic: `Diagnostic(DiagnosticCode("E0301"), .error, "unknown column 'stag'", span: span)`.
  public init(
    _ code: DiagnosticCode, _ severity: Severity = .error, _ message: String,
    span: SourceSpan? = nil, label: String? = nil, notes: [DiagnosticNote] = [],
    help: [String] = [], source: SourceFile? = nil
  ) {
    self.code = code
    self.severity = severity
    self.message = message
    self.span = span
    self.label = label
    self.notes = notes
    self.help = help
    self.source = source
  }

  /// The same diagnostic, attached to the text its span points into.
  public func with(source: SourceFile) -> Diagnostic {
    var copy = self
    if copy.source == nil { copy.source = source }
    return copy
  }

  /// The same diagnostic with one more help line (none when `text` is nil).
  public func withHelp(_ text: String?) -> Diagnostic {
    guard let text else { return self }
    var copy = self
    copy.help.append(text)
    return copy
  }

  /// True for an error, false for a warning.
  public var isError: Bool { severity == .error }

  /// An internal invariant failed: rendered as a bug report, never a crash.
  public static func bug(_ what: String, span: SourceSpan? = nil) -> Diagnostic {
    Diagnostic(
      DiagnosticCode("E0901"), .error, "internal error: \(what)", span: span,
      help: ["this is a bug in crmq; please report it with the query above"])
  }
}
