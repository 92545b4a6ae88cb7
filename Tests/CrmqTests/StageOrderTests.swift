import Foundation
import XCTest

@testable import Crmq
@testable import CrmqExecution

/// Without stages.csv the stage order is inferred from stage_history by an exact rule (integer
/// positions, means compared as fractions, ties by name), so every backend and every reading of
/// the same rows infers the same order, whatever order the rows come in.
final class StageOrderTests: XCTestCase {
  /// Deals of one pipeline: two won in 'Оплата', one won in 'Акт', one lost in 'Отказ'.
  let deals = """
    id,name,pipeline,stage,status,amount,currency,manager,client_id,client,source,loss_reason,created_at,closed_at
    1,a,P,Оплата,won,10.00,RUB,m,1,c,s,,2026-01-01 10:00:00,2026-01-09 10:00:00
    2,b,P,Оплата,won,10.00,RUB,m,2,c,s,,2026-01-01 10:00:00,2026-01-09 10:00:00
    3,c,P,Акт,won,10.00,RUB,m,3,c,s,,2026-01-01 10:00:00,2026-01-09 10:00:00
    4,d,P,Отказ,lost,10.00,RUB,m,4,c,s,,2026-01-01 10:00:00,2026-01-09 10:00:00
    """

  /// Histories: 'Заявка' always first; 'Бриф' and 'Встреча' entered in the same second (the
  /// name decides between them) or in either order (the same mean); 'Акт' (not the won stage
  /// here: fewer won deals sit in it) at the end; 'Оплата' and 'Отказ' are closing stages.
  let history = [
    "1,Заявка,2026-01-01 10:00:00", "1,Встреча,2026-01-02 10:00:00", "1,Бриф,2026-01-02 10:00:00",
    "1,Акт,2026-01-05 10:00:00", "1,Оплата,2026-01-09 10:00:00",
    "2,Заявка,2026-01-01 10:00:00", "2,Встреча,2026-01-02 10:00:00", "2,Бриф,2026-01-03 10:00:00",
    "2,Акт,2026-01-05 10:00:00",
    "3,Заявка,2026-01-01 10:00:00", "3,Бриф,2026-01-02 10:00:00", "3,Встреча,2026-01-03 10:00:00",
    "3,Акт,2026-01-05 10:00:00",
    "4,Заявка,2026-01-01 10:00:00", "4,Отказ,2026-01-02 10:00:00",
  ]

  func order(historyRows: [String]) throws -> [String] {
    let folder = try scratchFolder("crmq-stage-order")
    try deals.write(toFile: folder + "/deals.csv", atomically: true, encoding: .utf8)
    try (["deal_id,stage,entered_at"] + historyRows).joined(separator: "\n")
      .write(toFile: folder + "/stage_history.csv", atomically: true, encoding: .utf8)
    let engine = try Engine(folder: folder, cache: nil)
    let order = try XCTUnwrap(StageOrder.resolve(engine.catalog))
    XCTAssertTrue(order.inferred)
    return try XCTUnwrap(order.stages["P"])
  }

  func testTheOrderIsExactAndIndependentOfRowOrder() throws {
    // Positions (millionths): deal 1: Заявка 0, Бриф 333 333, Встреча 666 666, Акт 1 000 000;
    // deal 2: 0, Встреча 333 333, Бриф 666 666, 1 000 000; deal 3 as deal 1. Бриф's mean is
    // 444 444, Встреча's 555 555; the won stage is Оплата (two won deals against Акт's one).
    let expected = ["Заявка", "Бриф", "Встреча", "Акт", "Оплата"]
    XCTAssertEqual(try order(historyRows: history), expected)
    XCTAssertEqual(try order(historyRows: history.reversed()), expected)
    var generator = SystemRandomNumberGenerator()
    XCTAssertEqual(try order(historyRows: history.shuffled(using: &generator)), expected)
  }

  func testEqualMeansGoByName() throws {
    // Without deal 3's history, deal 1 entering Бриф then Встреча and deal 2 the other way round
    // make their means equal (500 000): the name decides, by bytes.
    let rows = history.filter { !$0.hasPrefix("3,") }.map {
      $0 == "1,Встреча,2026-01-02 10:00:00" ? "1,Встреча,2026-01-03 10:00:00" : $0
    }
    XCTAssertEqual(try order(historyRows: rows), ["Заявка", "Бриф", "Встреча", "Акт", "Оплата"])
    let renamed = rows.map { $0.replacingOccurrences(of: "Бриф", with: "Осмотр") }
    XCTAssertEqual(try order(historyRows: renamed), ["Заявка", "Встреча", "Осмотр", "Акт", "Оплата"])
  }
}
