import CrmqCore
import CrmqSemantics
import CrmqSyntax
import Foundation
import XCTest

@testable import Crmq
@testable import CrmqExecution

/// A large funnel is counted in parts, one per worker, and the counts added: every funnel,
/// classic or not, grouped or not, gives exactly what one pass gives, in any number of parts.
final class FunnelPartsTests: XCTestCase {
  func testPartsCountWhatOnePassCounts() throws {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path)
    let session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    let queries = [
      "funnel", "funnel classic", "funnel classic by source", "funnel by manager period 2026",
      "funnel classic where pipeline = 'Продажи' by month period 2026-Q3",
    ]
    for text in queries {
      let source = SourceFile(name: "query", text: text)
      guard case .funnel(let funnel)? = Parser.parse(source).first?.statement?.kind else { return XCTFail(text) }
      let bound = try Binder.bind(funnel: funnel, schemas: session.schemas, context: session.context, source: source)
        .get()
      let executor = FunnelExecutor(catalog: engine.catalog)
      let onePass = try executor.run(bound, parts: 1)
      XCTAssertFalse(onePass.rows.isEmpty, text)
      for parts in [2, 3, 7] {
        let split = try executor.run(bound, parts: parts)
        XCTAssertEqual(split.rows, onePass.rows, "\(text) in \(parts) parts")
        XCTAssertEqual(split.notes, onePass.notes, "\(text) in \(parts) parts")
      }
    }
  }

  /// A funnel's count asks the cancel check as it goes: cancelled, it throws rather than finish.
  func testAFunnelCanBeCancelled() throws {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path)
    let session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    let source = SourceFile(name: "query", text: "funnel classic by source")
    guard case .funnel(let funnel)? = Parser.parse(source).first?.statement?.kind else { return XCTFail() }
    let bound = try Binder.bind(funnel: funnel, schemas: session.schemas, context: session.context, source: source)
      .get()
    for parts in [1, 2] {
      XCTAssertThrowsError(
        try FunnelExecutor(catalog: engine.catalog, cancelled: { true }).run(bound, parts: parts)
      ) { error in
        XCTAssertTrue(error is CancellationErrorLike, "\(error)")
      }
      XCTAssertNoThrow(try FunnelExecutor(catalog: engine.catalog, cancelled: { false }).run(bound, parts: parts))
    }
  }
}
