import CrmqCore
import CrmqSyntax
import XCTest

final class LexerTests: XCTestCase {
  func kinds(_ text: String) -> [TokenKind] {
    Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.map(\.kind)
  }

  func testCalendarLiteralsAreSingleTokens() {
    XCTAssertEqual(
      kinds("2026-09 2026-Q3 2026-09-15 2026-09-15 10:30:00 2026"),
      [
        .period(.month(year: 2026, month: 9)), .period(.quarter(year: 2026, quarter: 3)),
        .period(.day(CivilDate.days(year: 2026, month: 9, day: 15))),
        .timestamp(CivilDate.days(year: 2026, month: 9, day: 15) * 86_400 + 10 * 3600 + 30 * 60),
        .number(NumberLiteral(mantissa: 2026, scale: 0)), .endOfFile,
      ])
  }

  func testNumberSuffixes() {
    XCTAssertEqual(kinds("50k")[0], .number(NumberLiteral(mantissa: 50_000, scale: 0)))
    XCTAssertEqual(kinds("1.5m")[0], .number(NumberLiteral(mantissa: 1_500_000, scale: 0)))
    XCTAssertEqual(kinds("49.90")[0], .number(NumberLiteral(mantissa: 4990, scale: 2)))
    XCTAssertEqual(NumberLiteral(mantissa: 4990, scale: 2).minorUnits, 4990)
    XCTAssertEqual(NumberLiteral(mantissa: 5, scale: 0).minorUnits, 500)
    XCTAssertNil(NumberLiteral(mantissa: 10555, scale: 3).minorUnits)
  }

  func testUnicodeNamesKeywordsAndStrings() {
    XCTAssertEqual(
      kinds("WHERE менеджер = 'Сайт' and \"Город\" != 'it''s'"),
      [
        .keyword(.where), .identifier("менеджер", quoted: false), .symbol(.equal), .string("Сайт"), .keyword(.and),
        .identifier("Город", quoted: true), .symbol(.notEqual), .string("it's"), .endOfFile,
      ])
  }

  func testCommentsAndNewlines() {
    XCTAssertEqual(kinds("count -- a comment\n# another\nby"), [.identifier("count", quoted: false), .newline, .newline, .keyword(.by), .endOfFile])
  }

  func testSpansCountBytesAndColumnsCountCharacters() {
    let source = SourceFile(name: "q", text: "count where менеджер = 1")
    let tokens = Lexer.tokenize(source).tokens
    XCTAssertEqual(source.text(of: tokens[2].span), "менеджер")
    XCTAssertEqual(source.location(of: tokens[3].span.start).column, 22)
  }

  func testIncompleteInputIsReportedAsSuch() {
    XCTAssertTrue(Parser.isIncomplete(SourceFile(name: "q", text: "count by")))
    XCTAssertTrue(Parser.isIncomplete(SourceFile(name: "q", text: "count where (amount > 5")))
    XCTAssertFalse(Parser.isIncomplete(SourceFile(name: "q", text: "count by stage")))
    XCTAssertFalse(Parser.isIncomplete(SourceFile(name: "q", text: "count by stage stage")))
  }

  func testDeepNestingIsAnErrorNotACrash() {
    let text = "count where " + String(repeating: "(", count: 5000) + "1 = 1" + String(repeating: ")", count: 5000)
    let parsed = Parser.parse(SourceFile(name: "q", text: text))
    XCTAssertEqual(parsed.first?.diagnostics.first?.code, DiagnosticCode("E0204"))
  }
}
