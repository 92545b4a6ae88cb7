import CrmqCore
import CrmqSemantics
import CrmqSyntax
import Foundation
import XCTest

@testable import Crmq
@testable import CrmqExecution

/// A large funnel is counted in two halves, one per core, and the counts added: every funnel,
/// classic or not, grouped or not, gives exactly what one pass gives.
final class FunnelHalvesTests: XCTestCase {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  func testHalvesCountWhatOnePassCounts() throws {
    let engine = try Engine(folder: FunnelHalvesTests.repository.appendingPathComponent("examples/data").path)
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
      let halves = try executor.run(bound, inHalves: true)
      let onePass = try executor.run(bound, inHalves: false)
      XCTAssertFalse(onePass.rows.isEmpty, text)
      XCTAssertEqual(halves.rows, onePass.rows, text)
      XCTAssertEqual(halves.notes, onePass.notes, text)
    }
  }

  /// A funnel's count asks the cancel check as it goes: cancelled, it throws rather than finish.
  func testAFunnelCanBeCancelled() throws {
    let engine = try Engine(folder: FunnelHalvesTests.repository.appendingPathComponent("examples/data").path)
    let session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    let source = SourceFile(name: "query", text: "funnel classic by source")
    guard case .funnel(let funnel)? = Parser.parse(source).first?.statement?.kind else { return XCTFail() }
    let bound = try Binder.bind(funnel: funnel, schemas: session.schemas, context: session.context, source: source)
      .get()
    for inHalves in [false, true] {
      XCTAssertThrowsError(
        try FunnelExecutor(catalog: engine.catalog, cancelled: { true }).run(bound, inHalves: inHalves)
      ) { error in
        XCTAssertTrue(error is CancellationErrorLike, "\(error)")
      }
      XCTAssertNoThrow(try FunnelExecutor(catalog: engine.catalog, cancelled: { false }).run(bound, inHalves: inHalves))
    }
  }
}
