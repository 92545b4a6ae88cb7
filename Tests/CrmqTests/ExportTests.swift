import Crmq
import Foundation
import XCTest

/// The same questions over an amoCRM export (CSV and XLSX), a Bitrix24 export (UTF-8 with BOM, Windows-1251, and
/// the "Excel" HTML table, with product rows) and the equivalent canonical file give the same answers.
final class ExportTests: XCTestCase {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("CrmqGoldenTests/fixtures")

  static let queries = [
    "deals, won, lost, revenue, lost_amount, win_rate by manager",
    "count, sum(amount), min(created_at), max(closed_at) by pipeline, status",
    "count by stage_group, repeat, \"Город\"",
    "won, revenue by client, source top 5",
    "deals by day period 2026-09-01..2026-09-07",
    "show deals where amount > 20k order by id",
  ]

  /// The answers over a fixture folder; `first` runs before the queries (a `load … map`).
  func answers(_ folder: String, first: String? = nil, select: (String) -> String = { $0 }) throws -> [String] {
    let engine = try Engine(folder: ExportTests.fixtures.appendingPathComponent(folder).path)
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    if let first {
      let loaded = session.run(first)
      XCTAssertFalse(loaded.contains(where: \.failed), Answers.text(loaded))
    }
    return ExportTests.queries.map { query in
      Answers.text(session.run(select(query)))
    }
  }

  /// A file in no CRM's layout (semicolons, decimal commas, English headers, its own status
  /// column), loaded with a mapping, answers like the canonical file, stage and all.
  func testAMappedFileAnswersLikeTheCanonicalFile() throws {
    let canonical = try answers("export_canonical")
    // The deals of export_canonical are replaced by the mapped file's, so nothing canonical stays.
    // mapped_us writes its dates month first, which only its closing dates show (09/20/2026).
    for fixture in ["mapped_csv", "mapped_us", "mapped_title"] {
      let script = try String(contentsOf: ExportTests.fixtures.appendingPathComponent("\(fixture)/load.crmq"), encoding: .utf8)
      XCTAssertEqual(try answers("export_canonical", first: script), canonical, fixture)
    }
    let unmapped = try answers("export_canonical", first: "load 'Tests/CrmqGoldenTests/fixtures/export_amocrm/amocrm_export.csv'")
    XCTAssertNotEqual(unmapped, canonical, "the comparison can tell files apart")
  }

  /// Canonical files saved in Windows-1251 (Excel's "CSV" on a Russian Windows) are decoded and
  /// answer like the UTF-8 ones; the report says how each was read.
  func testCanonicalFilesInWindows1251AnswerLikeUTF8() throws {
    let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("examples/data")
    let folder = NSTemporaryDirectory() + "crmq-cp1251-\(UUID().uuidString)"
    try FileManager.default.copyItem(atPath: data.path, toPath: folder)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    for name in ["deals.csv", "calls.csv", "stage_history.csv"] {
      let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
      try XCTUnwrap(text.data(using: .windowsCP1251)).write(to: URL(fileURLWithPath: folder + "/" + name))
    }
    let queries = ["count, sum(amount) by manager, \"Город\"", "calls, missed by manager", "funnel classic by source", "show deals order by id limit 3"]
    func answers(_ path: String) throws -> [String] {
      var session = Session(engine: try Engine(folder: path), today: CivilDate.days(year: 2026, month: 10, day: 5))
      return queries.map { Answers.text(session.run($0)) }
    }
    XCTAssertEqual(try answers(folder), try answers(data.path))
    let engine = try Engine(folder: folder)
    for report in engine.loadReports where ["deals", "calls", "stage_history"].contains(report.table) {
      XCTAssertEqual(report.details, ["read as Windows-1251"], report.file)
      XCTAssertTrue(report.warnings.isEmpty, report.file)
    }
  }

  /// A Windows-1251 file whose first megabyte is plain ASCII (its Cyrillic begins later) is first
  /// taken for UTF-8; once its texts are found damaged and the file as a whole is plainly not
  /// UTF-8, it is read again as Windows-1251: the texts are right and no E0507 is left.
  func testWindows1251WhoseCyrillicBeginsPastTheFirstMegabyte() throws {
    let folder = try scratchFolder("crmq-late-cp1251")
    var text = "id,name,pipeline,stage,status,amount,currency,manager,client_id,client,source,loss_reason,created_at,closed_at\n"
    var id = 0
    while text.utf8.count < 1_200_000 {
      id += 1
      text += "\(id),Deal \(id),Sales,New,open,1000.00,RUB,Anna Smirnova,\(id),Client \(id),Site,,2026-09-01 10:00:00,\n"
    }
    for _ in 0..<3 {
      id += 1
      text += "\(id),Сделка \(id),Продажи,Новая заявка,open,2000.00,RUB,Иван Петров,\(id),ООО «Север»,Сайт,,2026-09-02 10:00:00,\n"
    }
    try XCTUnwrap(text.data(using: .windowsCP1251)).write(to: URL(fileURLWithPath: folder + "/deals.csv"))
    let engine = try Engine(folder: folder)
    let report = try XCTUnwrap(engine.loadReports.first { $0.table == "deals" })
    XCTAssertEqual(report.details, ["read as Windows-1251"])
    XCTAssertTrue(report.warnings.isEmpty, report.warnings.map { DiagnosticRenderer().render($0) }.joined())
    var session = Session(engine: engine)
    let answer = Answers.text(session.run("count, sum(amount) by manager where source = 'Сайт'"))
    XCTAssertEqual(answer, "manager,count,sum(amount)\nИван Петров,3,6000.00\n")
  }

  /// Stage history from amoCRM's events API and from Bitrix24's crm.stagehistory.list, with
  /// their name dictionaries, answers like the canonical stage_history.csv it was made from.
  /// amoCRM's Unix times become local times in the engine's zone (the fixture's are Moscow's).
  func testAPIHistoriesAnswerLikeTheCanonicalFile() throws {
    let queries = [
      "funnel classic", "funnel classic by source", "count by lost_at where status = 'lost'",
      "count, min(entered_at), max(entered_at) of stage_history by stage",
      "count of stage_history by stage, month(entered_at) period 2025-Q1",
    ]
    func answers(_ folder: String, zone: String) throws -> [String] {
      let calendar = CalendarSettings(timeZone: try XCTUnwrap(CalendarSettings.zone(named: zone)))
      var session = Session(engine: try Engine(folder: ExportTests.fixtures.appendingPathComponent(folder).path, calendar: calendar))
      return queries.map { Answers.text(session.run($0)) }
    }
    let canonical = try answers("history_canonical", zone: "Europe/Moscow")
    XCTAssertFalse(canonical.contains { $0.contains("error[") }, canonical.joined())
    XCTAssertEqual(try answers("history_amocrm", zone: "Europe/Moscow"), canonical)
    XCTAssertEqual(try answers("history_bitrix", zone: "Europe/Moscow"), canonical)
    XCTAssertNotEqual(try answers("history_amocrm", zone: "Asia/Vladivostok"), canonical, "Unix times are read in the engine's zone")
  }

  /// A history whose stages have no names (no pipelines file) still loads, by id, and says so.
  func testAnAmoHistoryWithoutPipelinesNamesStagesByID() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmq-history-\(getpid())")
    try? FileManager.default.removeItem(at: folder)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let source = ExportTests.fixtures.appendingPathComponent("history_amocrm")
    for name in ["deals.csv", "events.json"] {
      try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
    }
    let engine = try Engine(folder: folder.path)
    let details = try XCTUnwrap(engine.loadReports.first { $0.table == "stage_history" }).details
    XCTAssertTrue(details.contains { $0.hasPrefix("no name for 8 stages (1001, 1002, 1003, 1004, 1005)") }, "\(details)")
    var session = Session(engine: engine)
    guard case .table(let stages) = session.run("count of stage_history by stage").last?.outcome else { return XCTFail() }
    XCTAssertTrue(stages.values(of: "stage").contains(.string("Успешно реализовано")), "142 is named in every account")
    XCTAssertTrue(stages.values(of: "stage").contains(.string("status 1001")))
  }

  /// A spend report in an advertising cabinet's layout (Windows-1251, ';', a title row, amounts
  /// with non-breaking spaces and decimal commas), loaded with a mapping, gives September's spend
  /// exactly as the canonical spend.csv does.
  func testAMappedSpendReportAnswersLikeTheCanonicalFile() throws {
    let root = ExportTests.fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let queries = ["sum(cost), count of spend by source, date period 2026-09", "spend, romi by source period 2026-09 with total"]
    func answers(_ first: String?) throws -> [String] {
      var session = Session(engine: try Engine(folder: root.appendingPathComponent("examples/data").path))
      if let first { XCTAssertFalse(session.run(first).contains(where: \.failed)) }
      return queries.map { Answers.text(session.run($0)) }
    }
    let mapped = try answers(
      "load 'Tests/CrmqGoldenTests/fixtures/mapped_spend/direct.csv' as spend map date = 'День', source = 'Кампания', cost = 'Расход, руб.'")
    XCTAssertEqual(mapped, try answers(nil))
    XCTAssertTrue(mapped[0].contains("Яндекс Директ,2026-09-01,17251.54"), mapped[0])
  }

  /// `--dialect` reads a file the way it names, whatever its header looks like.
  func testAForcedDialect() throws {
    let amo = ExportTests.fixtures.appendingPathComponent("export_amocrm").path
    XCTAssertThrowsError(try Engine(folder: amo, format: .canonical)) { XCTAssertTrue("\($0)".contains("E0503"), "\($0)") }
    let forced = try Engine(folder: amo, format: DealsFormat(dialectName: "AmoCRM")!)
    XCTAssertEqual(forced.rowCount(of: "deals"), 5)
    XCTAssertTrue(forced.loadReports[0].details[0].contains("amoCRM deals export"), forced.loadReports[0].details[0])
    // Bitrix24's dialect on amoCRM's file finds only the columns the two share.
    let wrong = try Engine(folder: amo, format: .dialect("bitrix24"))
    XCTAssertTrue(wrong.loadReports[0].details.contains { $0.hasPrefix("columns: id ← ID,") && !$0.contains("Бюджет") }, "\(wrong.loadReports[0].details)")
    XCTAssertNil(DealsFormat(dialectName: "salesforce"))
  }

  func testExportsAnswerLikeTheCanonicalFile() throws {
    let canonical = try answers("export_canonical")
    XCTAssertFalse(canonical.contains { $0.contains("error") }, canonical.joined())
    // `show deals` lists each export's own extra columns; compare the canonical ones, less the
    // stage (Bitrix24 names its closing stages "Сделка успешна", "Сделка провалена") and the
    // loss reason (Bitrix24 has no such column).
    func core(_ text: String) -> String {
      text.split(separator: "\n").map { line in
        let cells = ExportTests.fields(String(line)).prefix(14)
        return cells.enumerated().filter { $0.offset != 3 && $0.offset != 11 }.map(\.element).joined(separator: ",")
      }.joined(separator: "\n")
    }
    for folder in [
      "export_amocrm", "export_bitrix_utf8", "export_bitrix_cp1251", "export_bitrix_html", "export_amocrm_xlsx", "export_amocrm_sheets",
    ] {
      let got = try answers(folder)
      for (index, query) in ExportTests.queries.enumerated() {
        if query.hasPrefix("show") {
          XCTAssertEqual(core(got[index]), core(canonical[index]), "\(folder): \(query)")
        } else {
          XCTAssertEqual(got[index], canonical[index], "\(folder): \(query)")
        }
      }
    }
  }

  /// The fields of one CSV line, quotes respected.
  static func fields(_ line: String) -> [String] {
    var out: [String] = []
    var current = ""
    var quoted = false
    for character in line {
      if character == "\"" {
        quoted.toggle()
        current.append(character)
      } else if character == "," && !quoted {
        out.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    out.append(current)
    return out
  }
}
