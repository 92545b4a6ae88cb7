import CrmqCore
import CrmqSemantics
import CrmqStorage
import XCTest

@testable import CrmqExecution

/// Grouping by a wide pair of keys (client_id, client) numbers groups through a dense table over
/// the widest key, and through a hash table for tuples that disagree with it: groups come out in
/// order of first sight, each with its own rows, however the pair is split between the two.
final class WideKeyGroupingTests: XCTestCase {
  /// A result row's (client_id, client) as `id|name`, `∅` for a null name.
  func key(_ row: [Value]) -> String {
    guard case .int(let id) = row[0] else { return "?" }
    if case .string(let name) = row[1] { return "\(id)|\(name)" }
    return "\(id)|∅"
  }

  func testGroupsOfAWidePairMatchAPlainCount() throws {
    let rows = 400_000
    var clientId = NumericColumnBuilder(name: "client_id", type: .int)
    var client = StringColumnBuilder(name: "client")
    var state: UInt64 = 11
    func next(_ bound: UInt64) -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return (state >> 33) % bound
    }
    var expectedOrder: [String] = []
    var expectedCounts: [String: Int] = [:]
    var keysOfRows: [String] = []
    for _ in 0..<rows {
      let id = next(150_000)
      // A third of the ids keep one name; the others also appear under a second (enough tuples
      // for the hash table to grow), and some names are null.
      let renamed = id % 3 != 0 && next(2) == 0
      let name: String? = id % 101 == 0 ? nil : renamed ? "ИП Другое \(id)" : "ООО «Клиент \(id)»"
      clientId.append(Int64(id))
      if let name { client.append(name) } else { client.appendNull() }
      let key = "\(id)|\(name ?? "∅")"
      keysOfRows.append(key)
      if expectedCounts[key] == nil { expectedOrder.append(key) }
      expectedCounts[key, default: 0] += 1
    }
    let table = Table(name: "deals", columns: [clientId.build(), client.build()], mainDate: nil)
    let op = try HashAggregateOperator(
      groups: [
        BoundGroup(name: "client_id", expr: .column("client_id", .int)),
        BoundGroup(name: "client", expr: .column("client", .string)),
      ],
      aggregates: [BoundAggregate(function: .count, argument: nil, type: .int)], table: table)
    XCTAssertNil(op.denseProduct, "the pair is too wide for arithmetic group ids")
    let output = try op.run(Selection.everything(rows))
    let keys = output.rows.map(key)
    XCTAssertEqual(keys, expectedOrder)
    for (key, row) in zip(keys, output.rows) { XCTAssertEqual(row[2], .int(Int64(expectedCounts[key] ?? -1)), key) }
    // The same groups, in the same order, through the dense table of (key, id) slots that a key of
    // millions of ordinals takes (forced here, with every split).
    Workers.splitsEverything = true
    defer { Workers.splitsEverything = false }
    XCTAssertEqual(try op.run(Selection.everything(rows)).rows, output.rows)
    Workers.splitsEverything = false

    // A few rows of the table: too few for a dense table over 150 000 ids, so the hash table
    // numbers every tuple, in the same order of first sight.
    let some = ContiguousArray<UInt32>(stride(from: 5, to: rows, by: 997).map { UInt32($0) })
    let few = try op.run(Selection(all: false, rows: some, tableRows: rows))
    var fewOrder: [String] = []
    var fewCounts: [String: Int] = [:]
    for row in some {
      let key = keysOfRows[Int(row)]
      if fewCounts[key] == nil { fewOrder.append(key) }
      fewCounts[key, default: 0] += 1
    }
    let fewKeys = few.rows.map(key)
    XCTAssertEqual(fewKeys, fewOrder)
    for (key, row) in zip(fewKeys, few.rows) { XCTAssertEqual(row[2], .int(Int64(fewCounts[key] ?? -1)), key) }
  }

  /// Ids spread wider than 2^20 (a CRM's client numbers at millions of deals) are still read as
  /// offsets when their range is within twice the rows, and every group keeps its own count,
  /// nulls apart.
  func testIdsWiderThanAMillionGroupAsOffsets() throws {
    let rows = 700_000
    var clientId = NumericColumnBuilder(name: "client_id", type: .int)
    var expected: [Int64: Int] = [:]
    var nulls = 0
    for row in 0..<rows {
      if row % 1000 == 7 {
        clientId.appendNull()
        nulls += 1
        continue
      }
      // 1 000 000 … 2 390 000: a range of 1.39 million values over 700 000 rows.
      let id = 1_000_000 + Int64((row &* 7919) % 1_390_001)
      clientId.append(id)
      expected[id, default: 0] += 1
    }
    let table = Table(name: "deals", columns: [clientId.build()], mainDate: nil)
    let key = try GroupKey(.column("client_id", .int), table: table)
    XCTAssertEqual(key.strategy, "client_id: offset from minimum")
    let op = try HashAggregateOperator(
      groups: [BoundGroup(name: "client_id", expr: .column("client_id", .int))],
      aggregates: [BoundAggregate(function: .count, argument: nil, type: .int)], table: table)
    let output = try op.run(Selection.everything(rows))
    var seen = 0
    for row in output.rows {
      guard case .int(let count) = row[1] else { return XCTFail("a count that is no integer: \(row)") }
      if case .int(let id) = row[0] {
        XCTAssertEqual(Int(count), expected[id], "client \(id)")
        seen += 1
      } else {
        XCTAssertEqual(row[0], .null)
        XCTAssertEqual(Int(count), nulls)
      }
    }
    XCTAssertEqual(seen, expected.count)
  }
}
