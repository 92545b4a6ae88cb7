import CrmqCore
import CrmqImport
import CrmqStorage
import Foundation
import XCTest

/// Reading a file in many small segments gives the same table as reading it in one piece,
/// including when a cut falls inside a quoted field that spans lines.
final class ParallelLoadTests: XCTestCase {
  func values(_ table: Table) -> [[Value]] {
    (0..<table.rowCount).map { row in table.columns.map { $0.value(at: row) } }
  }

  func testSegmentsEqualOnePiece() throws {
    let path = Repository.root.appendingPathComponent("examples/data/deals.csv").path
    let (whole, wholeReport) = try CSVTableReader.read(
      path: path, displayName: "deals.csv", schema: .deals, segmentSize: 1 << 30)
    for size in [997, 4096, 65_536] {
      let (cut, report) = try CSVTableReader.read(
        path: path, displayName: "deals.csv", schema: .deals, segmentSize: size)
      XCTAssertEqual(report.rows, wholeReport.rows)
      XCTAssertEqual(values(cut), values(whole), "segment size \(size)")
      XCTAssertEqual(cut.columns.map(\.type), whole.columns.map(\.type))
    }
  }

  func testACutInsideAQuotedLineBreakFallsBackToOnePiece() throws {
    let folder = try scratchFolder("crmq-parallel")
    var text =
      "id,name,pipeline,stage,status,amount,currency,manager,client_id,client,source,loss_reason,created_at,closed_at\n"
    for id in 1...400 {
      let name = id % 7 == 0 ? "\"строка \(id)\nпродолжение, с запятой\"" : "сделка \(id)"
      let closed = id % 3 == 0 ? "" : "2026-09-0\(id % 9 + 1) 12:00:00"
      text += "\(id),\(name),p,s,open,\(id).5\(id % 10),RUB,m\(id % 5),\(id),c,src,,2026-08-01 10:00:00,\(closed)\n"
    }
    text += "401,bad,p,s,open,xx,RUB,m,1,c,src,,2026-08-01 10:00:00,\n"
    let path = folder + "/deals.csv"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let (whole, wholeReport) = try CSVTableReader.read(
      path: path, displayName: "deals.csv", schema: .deals, segmentSize: 1 << 30)
    XCTAssertEqual(whole.rowCount, 400)
    for size in [50, 333, 1000, 2048] {
      let (cut, report) = try CSVTableReader.read(
        path: path, displayName: "deals.csv", schema: .deals, segmentSize: size)
      XCTAssertEqual(values(cut), values(whole), "segment size \(size)")
      XCTAssertEqual(report.rejected, 1)
      XCTAssertEqual(
        report.warnings.first.map { DiagnosticRenderer().render($0) },
        wholeReport.warnings.first.map { DiagnosticRenderer().render($0) })
    }
  }

  /// Custom fields read in segments equal one piece: a field that is text from its first row,
  /// one that turns to text partway (some segments saw only numbers), one whose segments fit
  /// different types (a number here, a date there: text), one empty for a while and then numbers,
  /// and a mostly-distinct one. Types, values and the order texts were first seen all agree.
  func testCustomFieldsInSegmentsEqualOnePiece() throws {
    let path = try scratchFolder("crmq-extras") + "/deals.csv"
    var text =
      "id,name,pipeline,stage,status,amount,currency,manager,client_id,client,source,loss_reason,created_at,closed_at,"
    text += "Город,utm_campaign,Код,Позже,Комментарий\n"
    let cities = ["Москва", "Казань", "Пермь", "Тверь", "Омск"]
    for id in 1...6000 {
      let campaign = id < 3000 ? "\(id % 40)" : "весна_\(id % 7)"
      let code = id < 3000 ? "\(id)" : "2026-09-\(10 + id % 20)"
      let later = id <= 4000 ? "" : "\(id * 3)"
      let comment = id % 13 == 0 ? "" : "комментарий \(id)"
      text += "\(id),сделка \(id),p,s,open,100.00,RUB,m,\(id),c,src,,2026-08-01 10:00:00,,"
      text += "\(cities[id * 7 % 5]),\(campaign),\(code),\(later),\(comment)\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let (whole, _) = try CSVTableReader.read(path: path, displayName: "deals.csv", schema: .deals, segmentSize: 1 << 30)
    let extras = ["Город", "utm_campaign", "Код", "Позже", "Комментарий"]
    XCTAssertEqual(extras.map { whole.column(named: $0)?.type }, [.string, .string, .string, .int, .string])
    XCTAssertEqual(whole.column(named: "utm_campaign")?.value(at: 0), .string("1"))
    XCTAssertEqual(whole.column(named: "Код")?.value(at: 5999), .string("2026-09-10"))
    XCTAssertEqual(whole.column(named: "Позже")?.value(at: 4000), .int(12_003))
    XCTAssertEqual(whole.column(named: "Комментарий")?.value(at: 12), .null)
    func firstSeen(_ table: Table, _ name: String) -> [String] {
      guard case .dictionary(_, let dictionary)? = table.column(named: name)?.data else { return [] }
      return dictionary.entries.map(\.value)
    }
    for size in [333, 4096, 100_000] {
      let (cut, _) = try CSVTableReader.read(path: path, displayName: "deals.csv", schema: .deals, segmentSize: size)
      XCTAssertEqual(cut.columns.map(\.type), whole.columns.map(\.type), "segment size \(size)")
      XCTAssertEqual(values(cut), values(whole), "segment size \(size)")
      for name in extras {
        XCTAssertEqual(firstSeen(cut, name), firstSeen(whole, name), "\(name), segment size \(size)")
      }
    }
  }

  /// A mostly-distinct text column stops coding its texts in a segment and codes them when parts
  /// are appended: the column equals one coded as it went, codes in first-seen order included,
  /// nulls and texts shared between parts too.
  func testDeferredTextsCodeLikeTextsCodedAsTheyCame() {
    func text(_ row: Int) -> String? { row % 11 == 0 ? nil : row % 5 == 0 ? "общий \(row % 3)" : "сделка \(row)" }
    var plain = StringColumnBuilder(name: "name")
    var parts: [StringColumnBuilder] = []
    for part in 0..<3 {
      var builder = StringColumnBuilder(name: "name")
      for row in (part * 5000)..<(part * 5000 + 5000) {
        for target in [0, 1] {
          let value = text(row)
          if target == 0 {
            if let value { plain.append(value) } else { plain.appendNull() }
          } else if var value {
            value.withUTF8 { builder.append($0) }
          } else {
            builder.appendNull()
          }
        }
        if row - part * 5000 == 2047 { builder.deferCodingIfMostlyDistinct(rowsSoFar: 2048, expectedRows: 5000) }
      }
      parts.append(builder)
    }
    XCTAssertGreaterThan(parts[0].dictionarySize.distinct, 4000, "texts after row 2048 are kept uncoded")
    var merged = parts[0]
    for part in parts.dropFirst() { merged.append(contentsOf: part) }
    let expected = plain.build()
    let built = merged.build()
    XCTAssertEqual((0..<15_000).map { built.value(at: $0) }, (0..<15_000).map { expected.value(at: $0) })
    guard case .dictionary(let codes, let dictionary) = built.data,
      case .dictionary(let plainCodes, let plainDictionary) = expected.data
    else { return XCTFail("not dictionary-coded") }
    XCTAssertEqual(codes, plainCodes)
    XCTAssertEqual(dictionary.entries.map(\.value), plainDictionary.entries.map(\.value))
    XCTAssertEqual(dictionary.entries.map(\.rows), plainDictionary.entries.map(\.rows))
    // One part alone, built while deferring, codes the same way too.
    let single = parts[0].build()
    var plainFirst = StringColumnBuilder(name: "name")
    for row in 0..<5000 { if let value = text(row) { plainFirst.append(value) } else { plainFirst.appendNull() } }
    XCTAssertEqual((0..<5000).map { single.value(at: $0) }, (0..<5000).map { plainFirst.build().value(at: $0) })
  }

  /// Parts of any length, null or not anywhere, appended one after another: each part's bitmap
  /// lands at whatever bit the rows before it ended on.
  func testValidityBitmapsAppendAtAnyOffset() {
    for (split, second) in [(0, 0), (1, 1), (63, 1), (64, 64), (65, 63), (130, 7), (5, 0), (100, 170)] {
      var parts = (0..<3).map { _ in NumericColumnBuilder(name: "x", type: .int) }
      var expected: [Value] = []
      for row in 0..<300 {
        let isNull = row % 3 == 0 || row % 7 == 0
        expected.append(isNull ? .null : .int(Int64(row)))
        let part = row < split ? 0 : row < split + second ? 1 : 2
        if isNull { parts[part].appendNull() } else { parts[part].append(Int64(row)) }
      }
      var merged = parts[0]
      merged.append(contentsOf: parts[1])
      merged.append(contentsOf: parts[2])
      let column = merged.build()
      XCTAssertEqual((0..<300).map { column.value(at: $0) }, expected, "parts of \(split), \(second) and the rest")
    }
  }
}
