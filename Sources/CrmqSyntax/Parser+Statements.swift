import CrmqCore

extension Parser {
  /// grammar: script
  mutating func parseScript() -> [ParsedStatement] {
    var statements: [ParsedStatement] = []
    while true {
      while current.kind == .newline || current.kind == .symbol(.semicolon) { advance() }
      if current.kind == .endOfFile { break }
      let start = current.span.start
      pending = []
      parenDepth = 0
      nesting = 0
      do {
        let statement = try parseStatement()
        try expectStatementEnd()
        statements.append(
          ParsedStatement(statement: pending.isEmpty ? statement : nil, diagnostics: pending, span: statement.span))
      } catch let failure as ParseFailure {
        let end = max(start, failure.diagnostic.span?.end ?? current.span.end)
        statements.append(
          ParsedStatement(
            statement: nil, diagnostics: pending + [failure.diagnostic], span: SourceSpan(start: start, end: end)))
        synchronize()
      } catch {
        statements.append(
          ParsedStatement(statement: nil, diagnostics: [.bug("\(error)")], span: SourceSpan(start: start, end: start)))
        synchronize()
      }
    }
    return statements
  }

  /// After an error: skip to a ';' or to a line that starts a new statement.
  mutating func synchronize() {
    parenDepth = 0
    while current.kind != .endOfFile {
      if current.kind == .symbol(.semicolon) {
        advance()
        return
      }
      if current.kind == .newline {
        let next = significant
        if case .keyword(let keyword) = next.kind, keyword.startsClause || !keyword.startsStatement {
          advance()
          continue
        }
        if case .symbol = next.kind {
          advance()
          continue
        }
        return
      }
      advance()
    }
  }

  mutating func expectStatementEnd() throws {
    switch current.kind {
    case .newline, .endOfFile, .symbol(.semicolon): return
    default:
      throw failure(
        expected: "the end of the statement",
        help:
          "end a statement with ';' or a new line; clauses are of, by, where, period, compare, order by, top, limit, with total",
        words: Keyword.allCases.filter(\.startsClause).map(\.rawValue))
    }
  }

  /// grammar: statement
  mutating func parseStatement() throws -> Statement {
    skipNewlines()
    let start = current.span
    switch current.kind {
    case .keyword(.show): return try parseShow()
    case .keyword(.funnel): return try parseFunnel()
    case .keyword(.tables):
      advance()
      return Statement(.tables, start)
    case .keyword(.describe): return try parseDescribe()
    case .keyword(.explain): return try parseExplain()
    case .keyword(.let): return try parseLet()
    case .keyword(.set): return try parseSet()
    case .identifier(let word, false) where word.lowercased() == "stages" && startsStagesStatement():
      return try parseStages()
    case .identifier(let word, false)
    where word.lowercased() == "load" && position + 1 < tokens.count && isString(tokens[position + 1]):
      return try parseLoad()
    case .keyword(let keyword) where keyword.startsClause:
      throw failure(
        expected: "a measure such as count or sum(amount)", help: "a query starts with what to compute: count by stage")
    default:
      let query = try parseQuery()
      return Statement(.query(query), query.span)
    }
  }

  /// grammar: show
  mutating func parseShow() throws -> Statement {
    let start = try expect(.show).span
    let table = try expectName("a table name such as deals")
    var show = ShowStatement(table: table)
    // `columns a, b, …`: the columns to list, in this order (a word of its own only here).
    if case .identifier(let word, false) = significant.kind, word.lowercased() == "columns" {
      skipNewlines()
      advance()
      var names = [try expectName("a column name")]
      while eat(.comma) != nil { names.append(try expectName("a column name")) }
      show.columns = names
    }
    var seen: [Keyword: SourceSpan] = [:]
    while let (keyword, token) = nextClause(&seen) {
      switch keyword {
      case .where: show.predicate = try parseWhereClause()
      case .period: show.period = try parsePeriodClause()
      case .order: show.order = try parseOrderClause()
      case .limit: show.limit = try parseLimitClause()
      default:
        throw clauseNotAllowed(
          keyword, token, in: "show", label: "show lists rows", allowed: "where, period, order by and limit")
      }
    }
    return Statement(.show(show), start.merged(with: tokens[max(0, position - 1)].span))
  }

  /// grammar: funnel
  mutating func parseFunnel() throws -> Statement {
    let start = try expect(.funnel).span
    var funnel = Funnel(span: start)
    if case .identifier(let word, false) = significant.kind, word.lowercased() == "classic" {
      skipNewlines()
      advance()
      funnel.classic = true
    }
    var seen: [Keyword: SourceSpan] = [:]
    while let (keyword, token) = nextClause(&seen) {
      switch keyword {
      case .by: funnel.dimensions = try parseByClause()
      case .where: funnel.predicate = try parseWhereClause()
      case .period: funnel.period = try parsePeriodClause()
      case .compare: funnel.compare = try parseCompareClause()
      default:
        throw clauseNotAllowed(
          keyword, token, in: "a funnel", label: "a funnel lists every stage", allowed: "by, where, period and compare")
      }
    }
    funnel.span = start.merged(with: tokens[max(0, position - 1)].span)
    return Statement(.funnel(funnel), funnel.span)
  }

  /// `stages` followed by a pipeline and ':' (otherwise `stages` is a name, as in `count of stages`).
  func startsStagesStatement() -> Bool {
    var index = position + 1
    while index < tokens.count - 1 && tokens[index].kind == .newline { index += 1 }
    guard index + 1 < tokens.count else { return false }
    switch tokens[index].kind {
    case .string, .identifier: return tokens[index + 1].kind == .symbol(.colon)
    default: return false
    }
  }

  /// grammar: stages
  mutating func parseStages() throws -> Statement {
    let start = current.span
    advance()
    skipNewlines()
    let pipeline: Name
    switch current.kind {
    case .string(let text), .identifier(let text, _):
      pipeline = Name(text, current.span)
      advance()
    default:
      throw failure(expected: "a pipeline name")
    }
    try expect(.colon, "':' after the pipeline")
    var stages: [Name] = []
    repeat {
      skipNewlines()
      guard case .string(let text) = current.kind else { throw failure(expected: "a stage name in quotes") }
      stages.append(Name(text, current.span))
      advance()
    } while eat(.comma) != nil
    return Statement(.stages(pipeline: pipeline, stages: stages), start.merged(with: stages.last?.span ?? start))
  }

  func isString(_ token: Token) -> Bool {
    if case .string = token.kind { return true }
    return false
  }

  /// A column name as written: bare, in double quotes, or in single quotes (`'Дата закрытия'`);
  /// a keyword here is a name too (a file may well have a column `Funnel` or `Order`).
  ///
  /// grammar: column
  mutating func expectColumnName(_ what: String) throws -> Name {
    skipNewlines()
    switch current.kind {
    case .identifier(let text, _), .string(let text):
      let name = Name(text, current.span)
      advance()
      return name
    case .keyword:
      let name = Name(file.text(of: current.span), current.span)
      advance()
      return name
    default:
      throw failure(expected: what)
    }
  }

  /// Consumes a contextual word (`map`, `from`) when it comes next.
  mutating func eatWord(_ word: String) -> Token? {
    guard
      continues({ if case .identifier(let text, false) = $0 { return text.lowercased() == word } else { return false } }
      )
    else {
      return nil
    }
    let token = current
    advance()
    return token
  }

  /// grammar: load
  mutating func parseLoad() throws -> Statement {
    let start = current.span
    advance()
    guard case .string(let path) = current.kind else { throw failure(expected: "the file to load, in quotes") }
    var load = LoadStatement(path: Name(path, current.span))
    var end = current.span
    advance()
    if eatWord("sheet") != nil {
      let sheet = try expectColumnName("the sheet's name, such as 'Сделки'")
      load.sheet = sheet
      end = sheet.span
    }
    if eat(.as) != nil {
      let table = try expectName("a table name such as deals")
      load.table = table
      end = table.span
    }
    if eatWord("map") != nil {
      repeat { end = try parseMapping(into: &load) } while eat(.comma) != nil
    }
    return Statement(.load(load), start.merged(with: end))
  }

  /// One item of `map`: `manager = owner`, or `status from phase ('Closed Won' = won, …)`.
  ///
  /// Returns where it ends.
  ///
  /// grammar: mapping
  mutating func parseMapping(into load: inout LoadStatement) throws -> SourceSpan {
    let target = try expectColumnName("a column to fill, such as manager")
    guard target.text.lowercased() == "status", eatWord("from") != nil else {
      try expect(.equal, "'=' and the file's column: manager = owner")
      let source = try expectColumnName("the file's column, such as owner or 'Дата закрытия'")
      load.columns.append((target, source))
      return source.span
    }
    load.statusColumn = try expectColumnName("the column whose values give the status")
    try expect(.leftParen, "'(' and the values: ('Closed Won' = won, 'Closed Lost' = lost)")
    repeat {
      skipNewlines()
      guard case .string(let value) = current.kind else {
        throw failure(expected: "a value in quotes, such as 'Closed Won'")
      }
      let valueName = Name(value, current.span)
      advance()
      try expect(.equal)
      load.statusValues.append((valueName, try expectName("won, lost or open")))
    } while eat(.comma) != nil
    return try expect(.rightParen).span
  }

  /// grammar: describe
  mutating func parseDescribe() throws -> Statement {
    let start = try expect(.describe).span
    let name = try expectName("a table name such as deals")
    return Statement(.describe(name), start.merged(with: name.span))
  }

  /// grammar: explain
  mutating func parseExplain() throws -> Statement {
    let start = try expect(.explain).span
    let sql = eatWord("sql") != nil
    let inner = try parseStatement()
    switch inner.kind {
    case .query, .show, .funnel: break
    default:
      throw ParseFailure(
        Diagnostic(
          DiagnosticCode("E0201"), .error, "explain takes a query or a show statement", span: inner.span,
          label: "nothing to plan here"))
    }
    return Statement(sql ? .explainSQL(inner) : .explain(inner), start.merged(with: inner.span))
  }

  /// grammar: let
  mutating func parseLet() throws -> Statement {
    let start = try expect(.let).span
    let name = try expectName("a name for the segment")
    try expect(.equal)
    let expr = try parseExpression()
    return Statement(.letSegment(name, expr), start.merged(with: expr.span))
  }

  /// grammar: set
  mutating func parseSet() throws -> Statement {
    let start = try expect(.set).span
    let name = try expectName("a setting such as today")
    try expect(.equal)
    let expr = try parseExpression()
    return Statement(.set(name, expr), start.merged(with: expr.span))
  }

  /// The next clause keyword, if the statement goes on with one; a repeated clause is noted as
  /// an error pointing at both.
  mutating func nextClause(_ seen: inout [Keyword: SourceSpan]) -> (Keyword, Token)? {
    guard continues({ if case .keyword(let k) = $0 { return k.startsClause } else { return false } }),
      case .keyword(let keyword) = current.kind
    else { return nil }
    let name = keyword == .order ? "order by" : keyword == .with ? "with total" : keyword.rawValue
    noteClause(name, current.span, &seen, keyword)
    return (keyword, current)
  }

  func clauseNotAllowed(_ keyword: Keyword, _ token: Token, in statement: String, label: String, allowed: String)
    -> ParseFailure
  {
    ParseFailure(
      Diagnostic(
        DiagnosticCode("E0201"), .error, "'\(keyword.rawValue)' does not apply to \(statement)", span: token.span,
        label: label, help: ["\(statement) takes \(allowed)"]))
  }

  mutating func noteClause(_ name: String, _ span: SourceSpan, _ seen: inout [Keyword: SourceSpan], _ keyword: Keyword)
  {
    if let first = seen[keyword] {
      pending.append(.duplicateClause(name, first: first, second: span))
    } else {
      seen[keyword] = span
    }
  }
}
