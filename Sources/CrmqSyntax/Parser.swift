import CrmqCore

/// A recursive-descent parser from tokens to `Statement`s.
///
/// How to read it:
/// - There is one method per rule of grammar/crmq.ebnf, tagged `grammar: <rule>` in its doc
///   comment; a test checks that the tags and the grammar's rules are the same set.
/// - The methods are split by syntactic category: statements in `Parser+Statements.swift`, query
///   clauses in `Parser+Clauses.swift`, expressions in `Parser+Expressions.swift`.
/// - Methods that consume tokens are `mutating`. `at`/`eat`/`expect` look at or consume the next
///   token; `continues` looks past line breaks for a token that carries the statement on.
/// - A line break ends a statement when the statement is complete and the next line does not
///   start with a clause keyword or an operator; inside parentheses line breaks are ignored.
/// - An error throws out of the statement; `parseScript` records it, skips to the next statement
///   (`synchronize`) and goes on, so one run reports the errors of every statement.
public struct Parser {
  let tokens: [Token]
  /// The text parsed, for the few places a word is taken as written (a column named `Funnel`).
  let file: SourceFile
  var position = 0
  var parenDepth = 0
  var nesting = 0
  var lexerDiagnostics: [Int: Diagnostic] = [:]
  /// Errors that do not stop the statement (a repeated clause).
  var pending: [Diagnostic] = []

  static let maximumNesting = 200

  public init(_ source: SourceFile) {
    let (tokens, diagnostics) = Lexer.tokenize(source)
    self.tokens = tokens
    self.file = source
    for diagnostic in diagnostics {
      if let span = diagnostic.span { lexerDiagnostics[span.start] = diagnostic }
    }
  }

  /// Parses every statement of a script or a one-line query.
  public static func parse(_ source: SourceFile) -> [ParsedStatement] {
    var parser = Parser(source)
    return parser.parseScript().map { parsed in
      var copy = parsed
      copy.diagnostics = parsed.diagnostics.map { $0.with(source: source) }
      return copy
    }
  }

  /// Whether the text stops in the middle of a statement (an open clause, quote or parenthesis):
  /// an interactive shell then reads another line instead of reporting an error.
  public static func isIncomplete(_ source: SourceFile) -> Bool {
    for parsed in parse(source) {
      for diagnostic in parsed.diagnostics where diagnostic.code == DiagnosticCode("E0202") {
        return true
      }
    }
    return false
  }

  // MARK: - Token primitives

  var current: Token { tokens[min(position, tokens.count - 1)] }

  /// The next token that is not a line break, without consuming anything.
  var significant: Token {
    var index = position
    while index < tokens.count - 1 && tokens[index].kind == .newline { index += 1 }
    return tokens[index]
  }

  mutating func advance() {
    if position < tokens.count - 1 { position += 1 }
  }

  mutating func skipNewlines() {
    while current.kind == .newline { advance() }
  }

  /// Whether the next significant token matches; line breaks before it are consumed only then.
  mutating func continues(_ matches: (TokenKind) -> Bool) -> Bool {
    if parenDepth > 0 { skipNewlines() }
    let next = significant
    guard matches(next.kind) else { return false }
    skipNewlines()
    return true
  }

  mutating func continues(_ keyword: Keyword) -> Bool {
    continues { $0 == .keyword(keyword) }
  }

  mutating func continues(_ symbol: Symbol) -> Bool {
    continues { $0 == .symbol(symbol) }
  }

  /// Consumes the keyword when it is next (after any line breaks).
  mutating func eat(_ keyword: Keyword) -> Token? {
    guard continues(keyword) else { return nil }
    let token = current
    advance()
    return token
  }

  mutating func eat(_ symbol: Symbol) -> Token? {
    guard continues(symbol) else { return nil }
    let token = current
    advance()
    return token
  }

  @discardableResult
  mutating func expect(_ keyword: Keyword, _ what: String? = nil) throws -> Token {
    skipNewlines()
    guard current.kind == .keyword(keyword) else { throw failure(expected: what ?? "'\(keyword.rawValue)'") }
    let token = current
    advance()
    return token
  }

  @discardableResult
  mutating func expect(_ symbol: Symbol, _ what: String? = nil) throws -> Token {
    skipNewlines()
    guard current.kind == .symbol(symbol) else { throw failure(expected: what ?? "'\(symbol.rawValue)'") }
    let token = current
    advance()
    return token
  }

  /// A name: an identifier, quoted or not.
  mutating func expectName(_ what: String) throws -> Name {
    skipNewlines()
    guard case .identifier(let text, _) = current.kind else { throw failure(expected: what) }
    let name = Name(text, current.span)
    advance()
    return name
  }

  /// A whole number such as the N of `top N`.
  mutating func expectCount(_ what: String) throws -> Int {
    skipNewlines()
    guard case .number(let literal) = current.kind else { throw failure(expected: what) }
    guard literal.isInteger, literal.mantissa >= 1, literal.mantissa <= 1_000_000_000 else {
      throw ParseFailure(
        Diagnostic(
          DiagnosticCode("E0201"), .error, "expected \(what), found \(source(current))", span: current.span,
          label: "a whole number from 1 to 1 000 000 000"))
    }
    advance()
    return Int(literal.mantissa)
  }

  /// A number token as written, for messages.
  func source(_ token: Token) -> String {
    guard case .number(let literal) = token.kind else { return token.description }
    return literal.isInteger ? String(literal.mantissa) : NumberFormat.shortest(literal.doubleValue)
  }

  /// The error for the token at hand: the lexer's own diagnostic for unreadable text.
  /// `words`: the words that could stand here; a word found that is close to one (`perod`) gets
  /// a did-you-mean before `help`.
  func failure(expected what: String, help: String? = nil, words: [String] = []) -> ParseFailure {
    let token = significant
    if token.kind == .invalid, let diagnostic = lexerDiagnostics[token.span.start] {
      return ParseFailure(diagnostic)
    }
    var diagnostic = Diagnostic.expected(what, found: token, help: help)
    if case .identifier(let word, quoted: false) = token.kind,
      let close = Suggestions.closest(to: word.lowercased(), in: words).first
    {
      diagnostic.help.insert("did you mean '\(close)'?", at: 0)
    }
    return ParseFailure(diagnostic)
  }
}

/// Thrown inside the parser to abandon the statement at hand.
struct ParseFailure: Error {
  let diagnostic: Diagnostic
  init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }
}
