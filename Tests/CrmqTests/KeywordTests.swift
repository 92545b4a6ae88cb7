import CrmqSyntax
import Testing

/// Keywords are case-insensitive and the clause keywords are the ones the grammar names.
@Suite struct KeywordTests {
  @Test(arguments: ["where", "WHERE", "Where", "wHeRe"])
  func keywordsIgnoreCase(_ word: String) {
    #expect(Keyword(word: word) == .where)
  }

  @Test func clauseKeywords() {
    let clauses = Keyword.allCases.filter(\.startsClause).map(\.rawValue).sorted()
    #expect(clauses == ["by", "compare", "limit", "of", "order", "period", "top", "where", "with"])
  }

  @Test func contextualWordsAreNotReserved() {
    for word in ["total", "last", "today", "month", "count", "sum"] {
      #expect(Keyword(word: word) == nil)
    }
  }
}
