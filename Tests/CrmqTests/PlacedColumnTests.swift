import CrmqCore
import CrmqImport
import CrmqStorage
import Foundation
import XCTest

/// Segments parsed into their places in a column's final buffer, merged where they are: the column
/// equals one built row by row, when places are left part empty, when a segment overflows its
/// place and the rows still fit, and when they do not (then they are copied out).
final class PlacedColumnTests: XCTestCase {
  /// Place capacities, the rows each piece holds, and what the merge must do with them.
  let layouts: [(capacities: [Int], rows: [Int], fits: Bool)] = [
    ([100, 100, 100], [64, 65, 7], true),
    ([4, 2, 3], [2, 3, 3], true),
    ([40, 10, 40], [40, 25, 12], false),
    ([2, 2], [3, 1], false),
    ([5, 5], [0, 9], true),
  ]

  func testPlacedNumbersMoveTogether() {
    for (capacities, rows, fits) in layouts {
      let buffer = SharedColumnBuffer<Int64>(capacities: capacities)
      XCTAssertEqual(buffer.fits(rows), fits, "\(capacities) holding \(rows)")
      var expected: [Value] = []
      var pieces: [NumericColumnBuilder] = []
      var row = 0
      for (index, count) in rows.enumerated() {
        var piece = NumericColumnBuilder(
          name: "amount", type: .money, place: buffer.place(index), capacity: buffer.capacity(index))
        for _ in 0..<count {
          if row % 7 == 3 {
            piece.appendNull()
            expected.append(.null)
          } else {
            piece.append(Int64(row * 100 + 1))
            expected.append(.money(Int64(row * 100 + 1)))
          }
          row += 1
        }
        pieces.append(piece)
      }
      let column = NumericColumnBuilder.column(placed: pieces, in: buffer)
      XCTAssertEqual(column.count, row)
      XCTAssertEqual((0..<row).map { column.value(at: $0) }, expected, "\(capacities) holding \(rows)")
    }
  }

  /// Texts shared between pieces, nulls, and a piece that stops coding its mostly-distinct texts:
  /// codes in first-seen order over the whole column, as a builder fed row by row gives them.
  func testPlacedTextsCodeLikeOneBuilder() {
    func text(_ row: Int) -> String? { row % 11 == 0 ? nil : row % 5 == 0 ? "общий \(row % 3)" : "сделка \(row)" }
    for (capacities, rows, _) in layouts + [([3000, 3000, 3000], [2500, 3000, 2900], true)] {
      let buffer = SharedColumnBuffer<UInt32>(capacities: capacities)
      var plain = StringColumnBuilder(name: "name")
      var pieces: [StringColumnBuilder] = []
      var row = 0
      for (index, count) in rows.enumerated() {
        var piece = StringColumnBuilder(name: "name", place: buffer.place(index), capacity: buffer.capacity(index))
        for offset in 0..<count {
          if var value = text(row) {
            plain.append(value)
            value.withUTF8 { piece.append($0) }
          } else {
            plain.appendNull()
            piece.appendNull()
          }
          if offset == 2047 { piece.deferCodingIfMostlyDistinct(rowsSoFar: 2048, expectedRows: count) }
          row += 1
        }
        pieces.append(piece)
      }
      let built = StringColumnBuilder.column(placed: &pieces, in: buffer)
      let expected = plain.build()
      guard case .dictionary(let codes, let dictionary) = built.data,
        case .dictionary(let plainCodes, let plainDictionary) = expected.data
      else { return XCTFail("not dictionary-coded") }
      XCTAssertEqual(codes, plainCodes, "\(capacities) holding \(rows)")
      XCTAssertEqual(dictionary.entries.map(\.value), plainDictionary.entries.map(\.value))
      XCTAssertEqual(dictionary.entries.map(\.rows), plainDictionary.entries.map(\.rows))
    }
  }

  /// A file whose first rows are long and the rest short: every segment holds far more rows than
  /// its place was sized for (from the first rows), and the table is still the file's rows.
  func testSegmentsPastTheirPlacesReadEveryRow() throws {
    let path = try scratchFolder("crmq-placed") + "/deals.csv"
    var text =
      "id,name,pipeline,stage,status,amount,currency,manager,client_id,client,source,loss_reason,created_at,closed_at\n"
    let rows = 30_000
    for id in 1...rows {
      let name = id <= 1500 ? String(repeating: "длинное название ", count: 12) + "\(id)" : "с\(id)"
      let closed = id % 3 == 0 ? "" : "2026-09-0\(id % 9 + 1) 12:00:00"
      text += "\(id),\(name),p,s,open,\(id).50,RUB,m\(id % 5),\(id),c\(id % 97),src,,2026-08-01 10:00:00,\(closed)\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    for size in [4096, 65_536, 1 << 30] {
      let (table, report) = try CSVTableReader.read(
        path: path, displayName: "deals.csv", schema: .deals, segmentSize: size)
      XCTAssertEqual(report.rows, rows)
      XCTAssertEqual(table.column(named: "id")?.value(at: rows - 1), .int(Int64(rows)))
      XCTAssertEqual(
        (0..<rows).map { table.column(named: "amount")?.value(at: $0) },
        (1...rows).map { .money(Int64($0 * 100 + 50)) },
        "segment size \(size)")
      XCTAssertEqual(table.column(named: "name")?.value(at: rows - 1), .string("с\(rows)"))
      XCTAssertEqual(table.column(named: "client")?.value(at: 1000), .string("c\(1001 % 97)"))
      XCTAssertEqual(table.column(named: "closed_at")?.value(at: 2), .null)
      XCTAssertEqual((0..<rows).filter { table.column(named: "closed_at")?.value(at: $0) == .null }.count, rows / 3)
    }
  }
}
