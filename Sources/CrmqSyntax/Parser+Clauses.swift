import CrmqCore

extension Parser {
  /// grammar: query
  mutating func parseQuery() throws -> Query {
    skipNewlines()
    var query = Query(span: current.span)
    query.measures = [try parseMeasure()]
    while eat(.comma) != nil {
      query.measures.append(try parseMeasure())
    }
    try parseClauses(&query)
    query.span = query.span.merged(with: tokens[max(0, position - 1)].span)
    return query
  }

  /// grammar: measure
  mutating func parseMeasure() throws -> Measure {
    let expr = try parseExpression()
    return Measure(expr: expr, alias: try parseAlias())
  }

  /// grammar: alias
  mutating func parseAlias() throws -> Name? {
    guard eat(.as) != nil else { return nil }
    return try expectName("a name after 'as'")
  }

  /// grammar: clause
  mutating func parseClauses(_ query: inout Query) throws {
    var seen: [Keyword: SourceSpan] = [:]
    while let (keyword, _) = nextClause(&seen) {
      switch keyword {
      case .of: query.table = try parseOfClause()
      case .by: query.dimensions = try parseByClause()
      case .where: query.predicate = try parseWhereClause()
      case .period: query.period = try parsePeriodClause()
      case .order: query.order = try parseOrderClause()
      case .top: query.top = try parseTopClause()
      case .limit: query.limit = try parseLimitClause()
      case .with: query.withTotal = try parseTotalClause()
      case .compare: query.compare = try parseCompareClause()
      default: return
      }
    }
  }

  /// grammar: of_clause
  mutating func parseOfClause() throws -> Name {
    try expect(.of)
    return try expectName("a table name such as deals, calls or spend")
  }

  /// grammar: by_clause
  mutating func parseByClause() throws -> [Dimension] {
    try expect(.by)
    var dimensions = [try parseDimension()]
    while eat(.comma) != nil {
      dimensions.append(try parseDimension())
    }
    return dimensions
  }

  /// grammar: dimension
  mutating func parseDimension() throws -> Dimension {
    skipNewlines()
    if case .keyword(let keyword) = current.kind, keyword.startsClause || keyword == .and {
      throw failure(expected: "a column or a time grain such as month")
    }
    let expr = try parseAdditive()
    return Dimension(expr: expr, alias: try parseAlias())
  }

  /// grammar: where_clause
  mutating func parseWhereClause() throws -> Expr {
    try expect(.where)
    return try parseExpression()
  }

  /// grammar: period_clause
  mutating func parsePeriodClause() throws -> Period {
    try expect(.period)
    return try parsePeriod()
  }

  /// grammar: period
  mutating func parsePeriod() throws -> Period {
    skipNewlines()
    let start = current.span
    let help = "periods are 2026-09, 2026-Q3, 2026, 2026-09-01..2026-09-15, month, last month, last 30 days"
    if case .identifier(let word, false) = current.kind, word.lowercased() == "last" {
      advance()
      var count = 1
      if case .number = significant.kind {
        count = try expectCount("a number of periods")
      }
      skipNewlines()
      guard case .identifier(let grainWord, false) = current.kind, let grain = TimeGrain(word: grainWord), grain.isCalendar
      else { throw failure(expected: "day, week, month, quarter or year after 'last'", help: help) }
      let end = current.span
      advance()
      return Period(spec: .last(count: count, grain: grain), span: start.merged(with: end))
    }
    if case .identifier(let word, false) = current.kind, let grain = TimeGrain(word: word), grain.isCalendar,
      !word.lowercased().hasSuffix("s")
    {
      advance()
      return Period(spec: .current(grain), span: start)
    }
    let first = try parsePeriodLiteral(help: help)
    if eat(.range) != nil {
      let second = try parsePeriodLiteral(help: help)
      let span = start.merged(with: tokens[position - 1].span)
      guard second.end > first.start else {
        throw ParseFailure(
          Diagnostic(
            DiagnosticCode("E0104"), .error, "the period ends before it starts", span: span,
            label: "empty range", help: ["write the earlier date first: 2026-09-01..2026-09-15"]))
      }
      return Period(spec: .range(first, second), span: span)
    }
    return Period(spec: .literal(first), span: start)
  }

  /// grammar: period_literal
  mutating func parsePeriodLiteral(help: String) throws -> PeriodLiteral {
    skipNewlines()
    switch current.kind {
    case .period(let literal):
      advance()
      return literal
    case .number(let number) where number.isInteger && (1000...9999).contains(number.mantissa):
      advance()
      return .year(Int(number.mantissa))
    default:
      throw failure(expected: "a period", help: help)
    }
  }

  /// grammar: order_clause
  mutating func parseOrderClause() throws -> [OrderItem] {
    try expect(.order)
    try expect(.by, "'by' after 'order'")
    var items = [try parseOrderItem()]
    while eat(.comma) != nil {
      items.append(try parseOrderItem())
    }
    return items
  }

  /// grammar: order_item
  mutating func parseOrderItem() throws -> OrderItem {
    let expr = try parseAdditive()
    if eat(.desc) != nil { return OrderItem(expr: expr, descending: true) }
    _ = eat(.asc)
    return OrderItem(expr: expr, descending: false)
  }

  /// grammar: top_clause
  mutating func parseTopClause() throws -> Int {
    try expect(.top)
    return try expectCount("a whole number of rows after 'top'")
  }

  /// grammar: limit_clause
  mutating func parseLimitClause() throws -> Int {
    try expect(.limit)
    return try expectCount("a whole number of rows after 'limit'")
  }

  /// grammar: compare_clause
  mutating func parseCompareClause() throws -> Compare {
    let start = try expect(.compare).span
    skipNewlines()
    if case .identifier(let word, false) = current.kind {
      switch word.lowercased() {
      case "previous":
        let end = current.span
        advance()
        return Compare(spec: .previous, span: start.merged(with: end))
      case "year":
        let end = current.span
        advance()
        return Compare(spec: .year, span: start.merged(with: end))
      default:
        break
      }
    }
    if case .identifier = current.kind {
      throw failure(expected: "previous, year or a period after 'compare'", help: "compare previous, compare year, compare 2025-09")
    }
    let period = try parsePeriod()
    return Compare(spec: .period(period), span: start.merged(with: period.span))
  }

  /// grammar: total_clause
  mutating func parseTotalClause() throws -> Bool {
    try expect(.with)
    skipNewlines()
    guard case .identifier(let word, false) = current.kind, word.lowercased() == "total" else {
      throw failure(expected: "'total' after 'with'", words: ["total"])
    }
    advance()
    return true
  }
}
