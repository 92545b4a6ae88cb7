import CrmqSyntax
import XCTest

/// Keywords are case-insensitive and the clause keywords are the ones the grammar names.
///
/// XCTest, as every other test here: `swift test`'s one summary line (`Executed N tests`) then
/// counts them all.
final class KeywordTests: XCTestCase {
  func testKeywordsIgnoreCase() {
    for word in ["where", "WHERE", "Where", "wHeRe"] {
      XCTAssertEqual(Keyword(word: word), .where, word)
    }
  }

  func testClauseKeywords() {
    let clauses = Keyword.allCases.filter(\.startsClause).map(\.rawValue).sorted()
    XCTAssertEqual(clauses, ["by", "compare", "limit", "of", "order", "period", "top", "where", "with"])
  }

  func testContextualWordsAreNotReserved() {
    for word in ["total", "last", "today", "month", "count", "sum"] {
      XCTAssertNil(Keyword(word: word), word)
    }
  }
}
