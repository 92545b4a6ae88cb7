import Crmq
import Foundation
import XCTest

/// docs/metrics.md lists the same definitions `describe metrics` prints.
final class MetricsDocTests: XCTestCase {
  func testTheDocumentListsEveryMeasureAsDefined() throws {
    let document = try String(contentsOf: Repository.root.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
    var table = Session.metricsTable()
    table.notes = []
    let rendered = OutputFormat.markdown.render(table)
    XCTAssertTrue(
      document.contains(rendered),
      "docs/metrics.md is out of date; paste `crmq --format markdown -c 'describe metrics'`")
  }
}
