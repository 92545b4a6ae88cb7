import CrmqCore
import CrmqPlanner
import CrmqSQL
import CrmqSemantics
import CrmqSyntax
import Foundation
import XCTest

@testable import Crmq

/// Derived facts of deals are named in the plan (`Scan.derived`, `FunnelPlan.derived`) and every
/// backend computes them to one definition.
///
/// The engine computes them at load, the SQL in the statement. A deals file with a column of the
/// same name keeps it, in memory and in the SQL alike.
final class DerivedFactTests: XCTestCase {
  func session(deals: String, history: Bool) throws -> Session {
    let folder = try scratchFolder("crmq-derived")
    try deals.write(toFile: folder + "/deals.csv", atomically: true, encoding: .utf8)
    if history {
      try "deal_id,stage,entered_at\n1,Новая,2026-01-01 10:00:00\n2,Новая,2026-01-01 10:00:00\n"
        .write(toFile: folder + "/stage_history.csv", atomically: true, encoding: .utf8)
    }
    let engine = try Engine(folder: folder, cache: nil)
    return Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
  }

  static let header =
    "id,name,pipeline,stage,status,amount,currency,manager,client_id,client,source,loss_reason,"
    + "created_at,closed_at"

  func sql(_ session: inout Session, _ text: String) throws -> String {
    let result = session.compile(text, to: .postgres)
    guard case .compiled(let sql, _)? = result.first?.outcome else { throw XCTSkip("not compiled: \(result)") }
    return sql
  }

  func testTheFactsDerivedAreNamedInThePlanAndCompiledFromIt() throws {
    let deals =
      Self.header + "\n1,a,P,Новая,lost,10.00,RUB,m,1,c,s,,2026-01-01 10:00:00,2026-01-02 10:00:00\n"
      + "2,b,P,Успех,won,20.00,RUB,m,1,c,s,,2026-01-01 10:00:00,2026-01-02 10:00:00\n"
    var session = try session(deals: deals, history: true)
    XCTAssertEqual(session.engine.derivedFacts, [.repeatDeal, .stageGroup, .lostAt])
    let source = SourceFile(name: "q", text: "count by lost_at where repeat = 'primary'")
    let statement = try XCTUnwrap(Parser.parse(source).first?.statement)
    let plan = try session.plan(statement, source: source).plan
    XCTAssertTrue(plan.description.contains("derived=[repeat, lost_at]"), plan.description)
    let compiled = try sql(&session, "count by lost_at where repeat = 'primary'")
    XCTAssertTrue(compiled.contains("first_win"), compiled)
    XCTAssertTrue(compiled.contains("#lost_at"), compiled)
    XCTAssertFalse(compiled.contains("AS \"stage_group\""), compiled)
    // Reading no derived fact reads the table itself.
    XCTAssertFalse(try sql(&session, "count by manager").contains("SELECT d.*"))
  }

  func testADealsFileWithItsOwnColumnKeepsIt() throws {
    // The CRM's own "repeat" field: the engine keeps it, and the SQL reads the server's column.
    let deals =
      Self.header + ",repeat\n1,a,P,Новая,open,10.00,RUB,m,1,c,s,,2026-01-01 10:00:00,,да\n"
      + "2,b,P,Успех,won,20.00,RUB,m,1,c,s,,2026-01-01 10:00:00,2026-01-02 10:00:00,нет\n"
    var session = try session(deals: deals, history: false)
    // No stage_history: no lost_at either.
    XCTAssertEqual(session.engine.derivedFacts, [.stageGroup])
    let compiled = try sql(&session, "count by repeat")
    XCTAssertFalse(compiled.contains("first_win"), compiled)
    XCTAssertTrue(compiled.contains("FROM \"deals\""), compiled)
    guard case .table(let table)? = session.run("count by repeat").first?.outcome else { return XCTFail() }
    XCTAssertEqual(table.rows.map { $0[0] }, [.string("да"), .string("нет")])
  }

  /// `repeat` per deal, rows without a client or a creation time among them: a deal is repeat
  /// when its client's first win closed before the deal was created.
  func testRepeatDealsWithNullsBeside() throws {
    let deals =
      Self.header + "\n1,a,P,s,won,10.00,RUB,m,1,c,s,,2026-01-01 10:00:00,2026-01-10 10:00:00\n"
      + "2,b,P,s,open,10.00,RUB,m,1,c,s,,2026-02-01 10:00:00,\n"
      + "3,c,P,s,open,10.00,RUB,m,,c,s,,2026-03-01 10:00:00,\n"
      + "4,d,P,s,open,10.00,RUB,m,1,c,s,,,\n"
      + "5,e,P,s,open,10.00,RUB,m,2,c,s,,2026-01-05 10:00:00,\n"
      + "6,f,P,s,lost,10.00,RUB,m,1,c,s,,2026-01-05 10:00:00,2026-01-06 10:00:00\n"
      + "7,g,P,s,won,10.00,RUB,m,2,c,s,,2026-04-01 10:00:00,2026-04-02 10:00:00\n"
      + "8,h,P,s,open,10.00,RUB,m,2,c,s,,2026-04-02 10:00:01,\n"
    var session = try session(deals: deals, history: false)
    guard case .table(let table)? = session.run("count by id, repeat").first?.outcome else { return XCTFail() }
    let labels = Dictionary(uniqueKeysWithValues: table.rows.map { ($0[0], $0[1]) })
    XCTAssertEqual(
      (1...8).map { labels[.int(Int64($0))] },
      ["primary", "repeat", "primary", "primary", "primary", "primary", "primary", "repeat"].map { .string($0) })
  }

  func testWhichFactsATableGets() {
    XCTAssertEqual(
      DerivedFact.facts(dealsColumns: ["id", "stage"], tables: ["deals", "stage_history"]), DerivedFact.allCases)
    XCTAssertEqual(
      DerivedFact.facts(dealsColumns: ["lost_at"], tables: ["deals", "stage_history"]), [.repeatDeal, .stageGroup])
    XCTAssertEqual(DerivedFact.facts(dealsColumns: [], tables: ["calls"]), [])
  }
}
