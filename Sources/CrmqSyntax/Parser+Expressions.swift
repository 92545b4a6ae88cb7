import CrmqCore

extension Parser {
  /// grammar: expression
  mutating func parseExpression() throws -> Expr {
    try parseDisjunction()
  }

  /// grammar: disjunction
  mutating func parseDisjunction() throws -> Expr {
    var left = try parseConjunction()
    var chain = 0
    while eat(.or) != nil {
      try guardChain(&chain, left.span)
      let right = try parseConjunction()
      left = Expr(.binary(.or, left, right), left.span.merged(with: right.span))
    }
    return left
  }

  /// grammar: conjunction
  mutating func parseConjunction() throws -> Expr {
    var left = try parseNegation()
    var chain = 0
    while eat(.and) != nil {
      try guardChain(&chain, left.span)
      let right = try parseNegation()
      left = Expr(.binary(.and, left, right), left.span.merged(with: right.span))
    }
    return left
  }

  /// grammar: negation
  mutating func parseNegation() throws -> Expr {
    skipNewlines()
    if current.kind == .keyword(.not) {
      let start = current.span
      advance()
      try enterNesting(start)
      defer { nesting -= 1 }
      let operand = try parseNegation()
      return Expr(.unary(.not, operand), start.merged(with: operand.span))
    }
    return try parsePredicate()
  }

  /// grammar: predicate
  mutating func parsePredicate() throws -> Expr {
    let left = try parseAdditive()
    if continues({ if case .symbol(let s) = $0 { return Parser.comparison(s) != nil } else { return false } }),
      case .symbol(let symbol) = current.kind, let op = Parser.comparison(symbol)
    {
      advance()
      let right = try parseAdditive()
      return Expr(.binary(op, left, right), left.span.merged(with: right.span))
    }
    var negated = false
    if significant.kind == .keyword(.not) {
      let after = tokens[min(tokens.count - 1, indexAfterSignificant())]
      if [.keyword(.in), .keyword(.between), .keyword(.contains), .keyword(.starts)].contains(after.kind) {
        skipNewlines()
        advance()
        negated = true
      }
    }
    if eat(.in) != nil {
      try expect(.leftParen, "'(' to open the list of values")
      parenDepth += 1
      var values = [try parseAdditive()]
      while eat(.comma) != nil { values.append(try parseAdditive()) }
      let close = try expect(.rightParen, "')' or ',' in the list of values")
      parenDepth -= 1
      return Expr(.inList(left, values, negated: negated), left.span.merged(with: close.span))
    }
    if eat(.between) != nil {
      let low = try parseAdditive()
      try expect(.and, "'and' between the two bounds")
      let high = try parseAdditive()
      return Expr(.between(left, low: low, high: high, negated: negated), left.span.merged(with: high.span))
    }
    if eat(.contains) != nil {
      let pattern = try parseAdditive()
      return Expr(.contains(left, pattern, negated: negated), left.span.merged(with: pattern.span))
    }
    if eat(.starts) != nil {
      try expect(.with, "'with' after 'starts'")
      let prefix = try parseAdditive()
      return Expr(.startsWith(left, prefix, negated: negated), left.span.merged(with: prefix.span))
    }
    if negated { throw failure(expected: "'in', 'between', 'contains' or 'starts with' after 'not'") }
    if eat(.is) != nil {
      let isNot = eat(.not) != nil
      let null = try expect(.null, "'null' after 'is'")
      return Expr(.isNull(left, negated: isNot), left.span.merged(with: null.span))
    }
    return left
  }

  private func indexAfterSignificant() -> Int {
    var index = position
    while index < tokens.count - 1 && tokens[index].kind == .newline { index += 1 }
    return index + 1
  }

  private static func comparison(_ symbol: Symbol) -> BinaryOperator? {
    switch symbol {
    case .equal: return .equal
    case .notEqual: return .notEqual
    case .less: return .less
    case .lessEqual: return .lessEqual
    case .greater: return .greater
    case .greaterEqual: return .greaterEqual
    default: return nil
    }
  }

  /// grammar: additive
  mutating func parseAdditive() throws -> Expr {
    var left = try parseMultiplicative()
    var chain = 0
    while continues({ $0 == .symbol(.plus) || $0 == .symbol(.minus) }) {
      try guardChain(&chain, left.span)
      let op: BinaryOperator = current.kind == .symbol(.plus) ? .add : .subtract
      advance()
      let right = try parseMultiplicative()
      left = Expr(.binary(op, left, right), left.span.merged(with: right.span))
    }
    return left
  }

  /// grammar: multiplicative
  mutating func parseMultiplicative() throws -> Expr {
    var left = try parseUnary()
    var chain = 0
    while continues({ $0 == .symbol(.star) || $0 == .symbol(.slash) }) {
      try guardChain(&chain, left.span)
      let op: BinaryOperator = current.kind == .symbol(.star) ? .multiply : .divide
      advance()
      let right = try parseUnary()
      left = Expr(.binary(op, left, right), left.span.merged(with: right.span))
    }
    return left
  }

  /// grammar: unary
  mutating func parseUnary() throws -> Expr {
    skipNewlines()
    if current.kind == .symbol(.minus) {
      let start = current.span
      advance()
      try enterNesting(start)
      defer { nesting -= 1 }
      let operand = try parseUnary()
      return Expr(.unary(.negate, operand), start.merged(with: operand.span))
    }
    return try parsePrimary()
  }

  /// grammar: primary
  mutating func parsePrimary() throws -> Expr {
    skipNewlines()
    let token = current
    switch token.kind {
    case .number(let literal):
      advance()
      return Expr(.number(literal), token.span)
    case .string(let text):
      advance()
      return Expr(.string(text), token.span)
    case .period(let literal):
      advance()
      return Expr(.period(literal), token.span)
    case .timestamp(let seconds):
      advance()
      return Expr(.timestamp(seconds), token.span)
    case .keyword(.true), .keyword(.false):
      advance()
      return Expr(.bool(token.kind == .keyword(.true)), token.span)
    case .keyword(.null):
      advance()
      return Expr(.null, token.span)
    case .parameter(let name):
      advance()
      return Expr(.parameter(name), token.span)
    case .identifier(let name, let quoted):
      advance()
      if !quoted && current.kind == .symbol(.leftParen) { return try parseCall(name, token.span) }
      return Expr(.name(name, quoted: quoted), token.span)
    case .symbol(.leftParen):
      advance()
      try enterNesting(token.span)
      parenDepth += 1
      let inner = try parseExpression()
      let close = try expect(.rightParen, "')' to close the parenthesis")
      parenDepth -= 1
      nesting -= 1
      return Expr(inner.kind, token.span.merged(with: close.span))
    default:
      throw failure(expected: "a value, a column or a measure")
    }
  }

  /// grammar: call
  mutating func parseCall(_ name: String, _ nameSpan: SourceSpan) throws -> Expr {
    try expect(.leftParen)
    parenDepth += 1
    var arguments: [Expr] = []
    var distinct = false
    var star = false
    if let token = eat(.star) {
      star = true
      _ = token
    } else if !continues(.rightParen) {
      distinct = eat(.distinct) != nil
      arguments.append(try parseExpression())
      while eat(.comma) != nil { arguments.append(try parseExpression()) }
    }
    let close = try expect(.rightParen, "')' to close the call of \(name)")
    parenDepth -= 1
    return Expr(
      .call(name: name, nameSpan: nameSpan, arguments: arguments, distinct: distinct, star: star),
      nameSpan.merged(with: close.span))
  }

  /// A chain of binary operators builds a tree as deep as it is long; keep it within bounds.
  func guardChain(_ chain: inout Int, _ span: SourceSpan) throws {
    chain += 1
    if chain + nesting > Parser.maximumNesting * 5 { throw ParseFailure(.tooDeep(span)) }
  }

  mutating func enterNesting(_ span: SourceSpan) throws {
    nesting += 1
    if nesting > Parser.maximumNesting { throw ParseFailure(.tooDeep(span)) }
  }
}

