import CrmqStorage
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

  /// The fast inference agrees with the rule read value by value, on the bundled data and on the
  /// fixtures with histories but no stages (ids repeated across pipelines included).
  func testTheFastInferenceFollowsTheRule() throws {
    var folders = ["examples/data", "Tests/CrmqGoldenTests/fixtures/history_canonical"]
    folders += ["Tests/CrmqGoldenTests/fixtures/history_amocrm", "Tests/CrmqGoldenTests/fixtures/history_bitrix"]
    for folder in folders {
      let engine = try Engine(folder: Repository.root.appendingPathComponent(folder).path, cache: nil)
      let deals = try XCTUnwrap(engine.catalog.table(named: "deals"))
      let history = try XCTUnwrap(engine.catalog.table(named: "stage_history"), folder)
      let fast = StageOrder.infer(deals: deals, history: history)
      XCTAssertFalse(fast.stages.isEmpty, folder)
      XCTAssertEqual(fast.stages, StageOrderTests.reference(deals: deals, history: history).stages, folder)
    }
    // Ids repeated in two pipelines: the history counts in both.
    let rows = [
      "id,name,pipeline,stage,status,amount,currency,manager,client_id,client,source,loss_reason,created_at,closed_at",
      "1,a,P,Б,open,1.00,RUB,m,1,c,s,,2026-01-01 10:00:00,", "1,a,Q,Б,open,1.00,RUB,m,1,c,s,,2026-01-01 10:00:00,",
      "2,b,P,А,won,1.00,RUB,m,1,c,s,,2026-01-01 10:00:00,2026-01-03 10:00:00",
    ]
    let folder = try scratchFolder("crmq-stage-order-ids")
    try rows.joined(separator: "\n").write(toFile: folder + "/deals.csv", atomically: true, encoding: .utf8)
    try
      "deal_id,stage,entered_at\n1,В,2026-01-01 10:00:00\n1,Б,2026-01-02 10:00:00\n2,Б,2026-01-01 10:00:00\n2,В,2026-01-01 10:00:00\n2,А,2026-01-03 10:00:00\n"
      .write(toFile: folder + "/stage_history.csv", atomically: true, encoding: .utf8)
    let engine = try Engine(folder: folder, cache: nil)
    let deals = try XCTUnwrap(engine.catalog.table(named: "deals"))
    let history = try XCTUnwrap(engine.catalog.table(named: "stage_history"))
    let fast = StageOrder.infer(deals: deals, history: history)
    XCTAssertEqual(fast.stages, StageOrderTests.reference(deals: deals, history: history).stages)
    XCTAssertEqual(fast.stages["Q"], ["В", "Б"])
  }

  /// The rule read straight from its definition, value by value: what the fast `StageOrder.infer`
  /// must agree with.
  static func reference(deals: Table, history: Table) -> StageOrder {
    let status = deals.column(named: "status")
    let stage = deals.column(named: "stage")
    let pipeline = deals.column(named: "pipeline")
    let ids = deals.column(named: "id")
    var wonCounts: [String: [String: Int]] = [:]
    var lostStages = Set<String>()
    var pipelinesOf: [Int64: Set<String>] = [:]
    for row in 0..<deals.rowCount {
      guard let p = StageOrder.text(pipeline, row) else { continue }
      if case .int(let id) = ids?.value(at: row) { pipelinesOf[id, default: []].insert(p) }
      switch StageOrder.text(status, row) {
      case "won": if let s = StageOrder.text(stage, row) { wonCounts[p, default: [:]][s, default: 0] += 1 }
      case "lost": if let s = StageOrder.text(stage, row) { lostStages.insert(s) }
      default: break
      }
    }
    let wonStage = wonCounts.compactMapValues { counts in
      counts.max { a, b in a.value != b.value ? a.value < b.value : StageOrder.precedes(b.key, a.key) }?.key
    }
    var byDeal: [Int64: [(at: Int64, stage: String)]] = [:]
    let dealIds = history.column(named: "deal_id")
    let names = history.column(named: "stage")
    let entered = history.column(named: "entered_at")
    for row in 0..<history.rowCount {
      guard case .int(let id) = dealIds?.value(at: row), pipelinesOf[id] != nil, let s = StageOrder.text(names, row),
        !lostStages.contains(s), case .timestamp(let at) = entered?.value(at: row)
      else { continue }
      byDeal[id, default: []].append((at, s))
    }
    var score: [String: [String: (sum: Int64, count: Int64)]] = [:]
    for (id, entries) in byDeal {
      let ordered = entries.sorted { $0.at != $1.at ? $0.at < $1.at : StageOrder.precedes($0.stage, $1.stage) }
      for p in pipelinesOf[id] ?? [] {
        let open = ordered.filter { $0.stage != wonStage[p] }
        let last = Int64(open.count - 1)
        for (k, entry) in open.enumerated() {
          let position = last > 0 ? Int64(k) * 1_000_000 / last : 0
          let old = score[p, default: [:]][entry.stage] ?? (0, 0)
          score[p, default: [:]][entry.stage] = (old.sum + position, old.count + 1)
        }
      }
    }
    var stages: [String: [String]] = [:]
    for (p, entries) in score {
      var ordered = entries.sorted { a, b in
        // a.sum / a.count < b.sum / b.count, without rounding: the products can pass 2^63.
        let left = Int128(a.value.sum) * Int128(b.value.count)
        let right = Int128(b.value.sum) * Int128(a.value.count)
        return left != right ? left < right : StageOrder.precedes(a.key, b.key)
      }.map(\.key)
      if let won = wonStage[p] { ordered.append(won) }
      stages[p] = ordered
    }
    return StageOrder(stages: stages, inferred: true)
  }

}
