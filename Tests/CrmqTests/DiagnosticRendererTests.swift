import CrmqCore
import XCTest

/// How diagnostics draw: a very long line is cut to the stretch around the error, with the
/// carets still under it.
final class DiagnosticRendererTests: XCTestCase {
  func testALongLineShowsTheStretchAroundTheError() {
    let text = String(repeating: "count by stage; ", count: 400) + "count by stag; " + String(repeating: "deals; ", count: 400)
    let source = SourceFile(name: "script.crmq", text: text)
    let start = text.utf8.count - String(repeating: "deals; ", count: 400).utf8.count - "stag; ".utf8.count
    let diagnostic = Diagnostic(
      DiagnosticCode("E0301"), .error, "unknown column 'stag'", span: SourceSpan(start: start, end: start + 4), label: "here",
      source: source)
    let lines = DiagnosticRenderer().render(diagnostic).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let code = try? XCTUnwrap(lines.first { $0.hasPrefix("1 | ") })
    let carets = try? XCTUnwrap(lines.first { $0.contains("^") })
    XCTAssertNotNil(code)
    XCTAssertLessThanOrEqual(code?.count ?? 0, 170, "the line is cut")
    XCTAssertTrue(code?.hasPrefix("1 | …") ?? false, "cut on the left")
    XCTAssertTrue(code?.hasSuffix("…") ?? false, "and on the right")
    let caretColumn = carets?.firstIndex(of: "^").map { carets!.distance(from: carets!.startIndex, to: $0) }
    let word = code?.range(of: "stag;").map { code!.distance(from: code!.startIndex, to: $0.lowerBound) }
    XCTAssertEqual(caretColumn, word, "the carets sit under 'stag'")
    XCTAssertTrue(lines.contains { $0.contains("--> script.crmq:1:\(400 * 16 + 10)") }, "the column is the real one: \(lines)")
  }

  func testAShortLineIsShownWhole() {
    let source = SourceFile(name: "query", text: "count by stag")
    let diagnostic = Diagnostic(DiagnosticCode("E0301"), .error, "unknown column 'stag'", span: SourceSpan(start: 9, end: 13), source: source)
    XCTAssertTrue(DiagnosticRenderer().render(diagnostic).contains("1 | count by stag\n  |          ^^^^"))
  }
}
