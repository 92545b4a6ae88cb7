import CrmqCore

/// The lexer's and parser's messages, sorted by name; codes E01xx (lexer) and E02xx (parser).
extension Diagnostic {
  static func badDate(_ span: SourceSpan, text: String, reason: String) -> Diagnostic {
    Diagnostic(
      DiagnosticCode("E0104"), .error, "bad date literal '\(text)'", span: span, label: reason,
      help: ["dates are written 2026-09-15, months 2026-09, quarters 2026-Q3, timestamps 2026-09-15 10:30:00"])
  }

  static func badNumber(_ span: SourceSpan, text: String) -> Diagnostic {
    Diagnostic(
      DiagnosticCode("E0103"), .error, "bad number literal '\(text)'", span: span,
      label: "not a number", help: ["numbers are written 50000, 49.90, 50k or 1.5m"])
  }

  static func duplicateClause(_ name: String, first: SourceSpan, second: SourceSpan) -> Diagnostic {
    Diagnostic(
      DiagnosticCode("E0203"), .error, "the '\(name)' clause appears twice", span: second,
      label: "second '\(name)'", notes: [DiagnosticNote("the first '\(name)' is here", span: first)],
      help: ["a query takes each clause once; combine conditions with 'and'"])
  }

  static func emptyIdentifier(_ span: SourceSpan) -> Diagnostic {
    Diagnostic(DiagnosticCode("E0105"), .error, "empty quoted name", span: span, label: "nothing between the quotes")
  }

  static func expected(_ what: String, found: Token, help: String? = nil) -> Diagnostic {
    if found.kind == .endOfFile {
      return Diagnostic(
        DiagnosticCode("E0202"), .error, "unexpected end of input: expected \(what)", span: found.span,
        label: "expected \(what)", help: help.map { [$0] } ?? [])
    }
    return Diagnostic(
      DiagnosticCode("E0201"), .error, "expected \(what), found \(found.description)", span: found.span,
      label: "expected \(what)", help: help.map { [$0] } ?? [])
  }

  static func numberTooLarge(_ span: SourceSpan) -> Diagnostic {
    Diagnostic(DiagnosticCode("E0103"), .error, "number literal is too large", span: span, label: "beyond 9 223 372 036 854 775 807")
  }

  static func tooDeep(_ span: SourceSpan) -> Diagnostic {
    Diagnostic(DiagnosticCode("E0204"), .error, "expression is nested too deeply", span: span, label: "too many levels or operators in a row")
  }

  static func unexpectedCharacter(_ span: SourceSpan, _ text: String) -> Diagnostic {
    Diagnostic(
      DiagnosticCode("E0101"), .error, "unexpected character '\(text)'", span: span, label: "not part of the language",
      help: ["text values go in single quotes ('Сайт'), names with spaces in double quotes (\"Город\")"])
  }

  static func unterminatedQuote(_ span: SourceSpan, identifier: Bool) -> Diagnostic {
    Diagnostic(
      DiagnosticCode("E0102"), .error, identifier ? "unterminated quoted name" : "unterminated text literal",
      span: span, label: "the closing \(identifier ? "\"" : "'") is missing",
      help: [identifier ? "close the name with \" on the same line" : "close the text with ' on the same line; write '' for a quote inside"])
  }
}
