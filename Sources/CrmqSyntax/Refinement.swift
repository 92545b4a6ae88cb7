import CrmqCore

/// The shell's drill-down: a line that starts with a clause keyword refines the statement run
/// before it, with that clause added, or in place of the same clause (`revenue, won` ⏎
/// `by manager` ⏎ `period last month` ⏎).
///
/// Clauses are found by the statement's tokens at the top level (not inside parentheses or quotes);
/// `of` (the table) is kept.
public enum Refinement {
  /// The refined statement's text, or nil when `line` opens no clause a statement can take
  /// (or `base` is no query, funnel or show).
  public static func apply(_ line: String, to base: String) -> String? {
    guard let opening = clauses(line).first, leadingBlank(line, opening.start),
      opening.keyword != .of
    else { return nil }
    let trimmedBase = base.trimmingWhitespace()
    let baseTokens = Lexer.tokenize(SourceFile(name: "query", text: trimmedBase)).tokens
    guard let first = baseTokens.first?.kind else { return nil }
    switch first {
    case .keyword(let word)
    where word == .explain || word == .let || word == .set || word == .tables || word == .describe:
      return nil
    default: break
    }
    let bytes = Array(trimmedBase.utf8)
    var kept = bytes
    // The same clause goes; `top` and `limit` cut the rows both, so either replaces the other.
    let replaced: Set<Keyword> =
      opening.keyword == .top || opening.keyword == .limit ? [.top, .limit] : [opening.keyword]
    for clause in clauses(trimmedBase).reversed() where replaced.contains(clause.keyword) {
      kept.removeSubrange(clause.start..<clause.end)
    }
    let head = String(decoding: kept, as: UTF8.self).trimmingWhitespace().droppingSemicolon
    return head + " " + line.trimmingWhitespace().droppingSemicolon
  }

  /// The top-level clauses of a statement: keyword, and the bytes from it to the next clause.
  static func clauses(_ text: String) -> [(keyword: Keyword, start: Int, end: Int)] {
    let tokens = Lexer.tokenize(SourceFile(name: "query", text: text)).tokens
    var depth = 0
    var found: [(keyword: Keyword, start: Int, end: Int)] = []
    var previous: TokenKind?
    for token in tokens {
      switch token.kind {
      case .symbol(.leftParen): depth += 1
      case .symbol(.rightParen): depth = max(0, depth - 1)
      case .keyword(let word) where depth == 0 && word.startsClause:
        // `order by` and `compare period …` are one clause each: the second word belongs to the first.
        if word == .by, case .keyword(.order)? = previous { break }
        if word == .period, case .keyword(.compare)? = previous { break }
        if !found.isEmpty { found[found.count - 1].end = token.span.start }
        found.append((word, token.span.start, text.utf8.count))
      default: break
      }
      if token.kind != .newline { previous = token.kind }
    }
    return found
  }

  static func leadingBlank(_ line: String, _ offset: Int) -> Bool {
    line.utf8.prefix(offset).allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
  }
}

extension String {
  fileprivate var droppingSemicolon: String {
    var text = self
    while text.last == ";" || text.last?.isWhitespace == true { text.removeLast() }
    return text
  }
}
