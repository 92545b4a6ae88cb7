import CrmqCore
import CrmqImport
import CrmqStorage
import Foundation
import XCTest

/// Converting an export in many segments gives the same deals, client numbers and report as
/// converting it in one piece: product rows of one deal stay together across a cut, and a cut
/// inside a quoted line break falls back to one piece.
final class ExportSegmentsTests: XCTestCase {
  /// A Bitrix24-style export: `;`-separated, dd.mm.yyyy dates, `50 000,00` amounts, some deals
  /// with several product rows, clients repeating out of order.
  func export(lineBreaks: Bool) -> String {
    var text = "\"ID\";\"Название сделки\";\"Стадия сделки\";\"Направление\";\"Сумма\";\"Валюта\";\"Ответственный\";\"Компания\";"
      + "\"Источник\";\"Дата создания\";\"Дата закрытия\";\"Товар\"\n"
    let stages = ["Новая заявка", "Сделка успешна", "Сделка провалена", "Переговоры"]
    for id in 1...500 {
      let name = lineBreaks && id % 37 == 0 ? "Сделка \(id)\nвторая строка; с разделителем" : "Сделка \(id)"
      let stage = stages[id % stages.count]
      let closed = stage == "Сделка успешна" || stage == "Сделка провалена" ? "\(id % 28 + 1).10.2026 18:00:00" : ""
      let client = "Клиент \((id * 7919) % 61)"
      for product in 0..<(id % 5 == 0 ? 3 : 1) {
        let amount = "\(id % 40 + 1) \(String(format: "%03d", id % 1000)),\(product)5"
        text += "\"\(id)\";\"\(name)\";\"\(stage)\";\"Продажи\";\"\(amount)\";\"RUB\";\"Менеджер \(id % 6)\";\"\(client)\";"
          + "\"Сайт\";\"\(id % 28 + 1).09.2026 10:00:00\";\"\(closed)\";\"Товар \(product)\"\n"
      }
    }
    return text
  }

  func load(_ path: String, segmentSize: Int) throws -> (rows: [[Value]], details: [String]) {
    let outcome = try FolderLoader.load(folder: path, segmentSize: segmentSize)
    let table = try XCTUnwrap(outcome.catalog.table(named: "deals"))
    return ((0..<table.rowCount).map { row in table.columns.map { $0.value(at: row) } }, outcome.reports.flatMap(\.details))
  }

  func testSegmentsEqualOnePiece() throws {
    for lineBreaks in [false, true] {
      let path = NSTemporaryDirectory() + "crmq-export-\(UUID().uuidString).csv"
      try export(lineBreaks: lineBreaks).write(toFile: path, atomically: true, encoding: .utf8)
      defer { try? FileManager.default.removeItem(atPath: path) }
      let whole = try load(path, segmentSize: 1 << 30)
      XCTAssertEqual(whole.rows.count, 500)
      XCTAssertTrue(whole.details.contains("client_id given per distinct Компания (61 clients)"), whole.details.joined(separator: "\n"))
      XCTAssertTrue(whole.details.contains("200 product rows collapsed into their deals, amounts summed"))
      for size in [300, 997, 4096] {
        let cut = try load(path, segmentSize: size)
        XCTAssertEqual(cut.rows, whole.rows, "segment size \(size), line breaks \(lineBreaks)")
        XCTAssertEqual(cut.details, whole.details, "segment size \(size), line breaks \(lineBreaks)")
      }
    }
  }

  /// Ctrl-C while an export is being converted stops the conversion between its segments: the
  /// load ends with E0602 before a row of converted text is parsed.
  func testALoadIsCancelledDuringConversion() throws {
    let path = NSTemporaryDirectory() + "crmq-export-\(UUID().uuidString).csv"
    try export(lineBreaks: false).write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let asked = Counter()
    let progress = LoadProgress(isCancelled: { asked.next() > 3 })
    XCTAssertThrowsError(try FolderLoader.load(folder: path, segmentSize: 997, progress: progress)) { error in
      XCTAssertEqual((error as? CrmqError)?.diagnostics.first?.code, DiagnosticCode("E0602"))
    }
    XCTAssertEqual(progress.phase?.hasPrefix("converting"), true, "the load stopped while converting: reading never began")
    XCTAssertEqual(progress.snapshot.rows, 0, "nothing was parsed")
    XCTAssertGreaterThan(asked.next(), 4, "the conversion asked between its segments")
  }

  /// Progress names the stage before the reading proper (the shell's progress line shows it):
  /// converting an export, then reading with no phase, the bytes counted from 0 again.
  func testProgressNamesTheConversionThenTheReading() throws {
    let path = NSTemporaryDirectory() + "crmq-export-\(UUID().uuidString).csv"
    try export(lineBreaks: false).write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    final class Watch: @unchecked Sendable {
      var progress: LoadProgress?
      var seen: [String] = []
      let lock = NSLock()
      func note() {
        let phase = progress?.phase ?? "reading"
        lock.withLock { if seen.last != phase { seen.append(phase) } }
      }
    }
    let watch = Watch()
    let progress = LoadProgress(isCancelled: { watch.note(); return false })
    watch.progress = progress
    _ = try FolderLoader.load(folder: path, segmentSize: 997, progress: progress)
    let name = String(path.split(separator: "/").last ?? "")
    XCTAssertEqual(watch.seen.first, "converting \(name)", "\(watch.seen)")
    XCTAssertEqual(watch.seen.last, "reading", "\(watch.seen)")
    XCTAssertEqual(progress.snapshot.bytes, progress.snapshot.total, "the reading ends at its own total")
  }

  /// An XLSX sheet cut into parts at its `<row` tags converts to the same deals as in one piece.
  func testWorkbookPartsEqualOnePiece() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("CrmqGoldenTests/fixtures/export_amocrm_xlsx/amocrm_export.xlsx").path
    let whole = try load(path, segmentSize: 1 << 30)
    XCTAssertEqual(whole.rows.count, 5)
    for size in [100, 700, 1500] {
      let cut = try load(path, segmentSize: size)
      XCTAssertEqual(cut.rows, whole.rows, "part size \(size)")
      XCTAssertEqual(cut.details, whole.details, "part size \(size)")
    }
  }
}
