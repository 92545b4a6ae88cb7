import CrmqCore
import CrmqSemantics
import CrmqStorage
import XCTest

@testable import CrmqExecution

/// A large selection is aggregated in parts, one per worker, and the parts' states merged: every
/// kind of aggregate, with and without a condition of its own, gives exactly what one pass over
/// all the rows gives, in any number of parts.
///
/// Sums and means of doubles, whose last bits depend on the order of addition, keep the aggregate
/// in one pass.
final class ParallelAggregateTests: XCTestCase {
  func testPartsMergeToWhatOnePassGives() throws {
    let rows = 300_001
    var manager = StringColumnBuilder(name: "manager")
    var status = StringColumnBuilder(name: "status")
    var amount = NumericColumnBuilder(name: "amount", type: .money)
    var score = NumericColumnBuilder(name: "score", type: .double)
    var client = NumericColumnBuilder(name: "client_id", type: .int)
    var state: UInt64 = 7
    func next(_ bound: UInt64) -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return (state >> 33) % bound
    }
    for _ in 0..<rows {
      manager.append("Менеджер \(next(7))")
      status.append(["open", "won", "lost"][Int(next(3))])
      if next(10) == 0 { amount.appendNull() } else { amount.append(Int64(next(10_000_000))) }
      score.append(Double(next(1000)) / 7)
      client.append(Int64(next(50_000)))
    }
    let table = Table(
      name: "deals", columns: [manager.build(), status.build(), amount.build(), score.build(), client.build()],
      mainDate: nil)
    let won = BoundExpr.compare(.equal, .column("status", .string), .literal(.string("won"), .string))
    let money = BoundExpr.column("amount", .money)
    let aggregates = [
      BoundAggregate(function: .count, argument: nil, type: .int),
      BoundAggregate(function: .count, argument: money, type: .int),
      BoundAggregate(function: .sum, argument: money, type: .money),
      BoundAggregate(function: .sum, argument: money, type: .money, filter: won),
      BoundAggregate(function: .avg, argument: money, type: .money),
      BoundAggregate(function: .min, argument: money, type: .money),
      BoundAggregate(function: .max, argument: .column("score", .double), type: .double),
      BoundAggregate(function: .median, argument: money, type: .money),
      BoundAggregate(function: .count, argument: nil, type: .int, filter: won),
    ]
    for groups in [[BoundGroup(name: "manager", expr: .column("manager", .string))], []] {
      let op = try HashAggregateOperator(groups: groups, aggregates: aggregates, table: table)
      XCTAssertTrue(op.splitsAcrossCores)
      // Distinct counts, and counting rows alone, stay in one pass.
      let distinct = BoundAggregate(function: .countDistinct, argument: .column("client_id", .int), type: .int)
      XCTAssertFalse(
        try HashAggregateOperator(groups: groups, aggregates: aggregates + [distinct], table: table).splitsAcrossCores)
      XCTAssertFalse(
        try HashAggregateOperator(groups: groups, aggregates: [aggregates[0]], table: table).splitsAcrossCores)
      let doubleMean = BoundAggregate(function: .avg, argument: .column("score", .double), type: .double)
      XCTAssertFalse(
        try HashAggregateOperator(groups: groups, aggregates: aggregates + [doubleMean], table: table).splitsAcrossCores
      )
      let selection = Selection.everything(rows)
      let whole = try op.aggregate(selection, parts: 1)
      for parts in [2, 3, 5] {
        let split = try op.aggregate(selection, parts: parts)
        XCTAssertEqual(split.ids, whole.ids)
        for group in whole.ids {
          XCTAssertEqual(split.row(Int(group)), whole.row(Int(group)), "group \(group) in \(parts) parts")
        }
        XCTAssertEqual(split.grouping.gids, whole.grouping.gids, "the rows' groups, for totals")
      }
    }
  }

  /// Over a selection of some rows, measures with different conditions of their own (won, lost)
  /// find their rows' groups through one table-wide array: each counts and sums exactly its rows.
  func testConditionsOverSomeRowsCountTheirOwnRows() throws {
    let rows = 100_000
    var manager = StringColumnBuilder(name: "manager")
    var status = StringColumnBuilder(name: "status")
    var amount = NumericColumnBuilder(name: "amount", type: .money)
    var expected: [String: (won: Int64, lost: Int64, revenue: Int64)] = [:]
    var selected = ContiguousArray<UInt32>()
    for row in 0..<rows {
      let name = "Менеджер \(row % 7)"
      let state = ["open", "won", "lost"][(row / 3) % 3]
      manager.append(name)
      status.append(state)
      amount.append(Int64(row))
      guard row % 5 != 0 else { continue }
      selected.append(UInt32(row))
      var sums = expected[name] ?? (0, 0, 0)
      if state == "won" {
        sums.won += 1
        sums.revenue += Int64(row)
      }
      if state == "lost" { sums.lost += 1 }
      expected[name] = sums
    }
    let table = Table(name: "deals", columns: [manager.build(), status.build(), amount.build()], mainDate: nil)
    func isStatus(_ value: String) -> BoundExpr {
      .compare(.equal, .column("status", .string), .literal(.string(value), .string))
    }
    let op = try HashAggregateOperator(
      groups: [BoundGroup(name: "manager", expr: .column("manager", .string))],
      aggregates: [
        BoundAggregate(function: .count, argument: nil, type: .int, filter: isStatus("won")),
        BoundAggregate(function: .count, argument: nil, type: .int, filter: isStatus("lost")),
        BoundAggregate(function: .sum, argument: .column("amount", .money), type: .money, filter: isStatus("won")),
      ], table: table)
    let output = try op.run(Selection(all: false, rows: selected, tableRows: rows))
    XCTAssertEqual(output.rows.count, 7)
    for row in output.rows {
      guard case .string(let name) = row[0], let sums = expected[name] else { return XCTFail("\(row)") }
      XCTAssertEqual(Array(row[1...]), [Value.int(sums.won), Value.int(sums.lost), Value.money(sums.revenue)], name)
    }
  }

  /// With many values, the groups' medians are computed ahead on the workers: each is the median
  /// by the definition (the middle value, or the two middle ones' mean), money exact.
  func testMediansComputedAheadAreTheMedians() throws {
    let rows = 200_003
    var manager = StringColumnBuilder(name: "manager")
    var amount = NumericColumnBuilder(name: "amount", type: .money)
    var byManager: [String: [Int64]] = [:]
    var state: UInt64 = 3
    for _ in 0..<rows {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let name = "Менеджер \((state >> 33) % 5)"
      let value = Int64((state >> 20) % 1_000_001)
      manager.append(name)
      amount.append(value)
      byManager[name, default: []].append(value)
    }
    let table = Table(name: "deals", columns: [manager.build(), amount.build()], mainDate: nil)
    let op = try HashAggregateOperator(
      groups: [BoundGroup(name: "manager", expr: .column("manager", .string))],
      aggregates: [BoundAggregate(function: .median, argument: .column("amount", .money), type: .money)], table: table)
    XCTAssertGreaterThanOrEqual(rows, MedianAccumulator.parallelValues)
    let output = try op.run(Selection.everything(rows))
    XCTAssertEqual(output.rows.count, 5)
    for row in output.rows {
      guard case .string(let name) = row[0], let values = byManager[name]?.sorted() else { return XCTFail("\(row)") }
      let n = values.count
      let sum = values[(n - 1) / 2] + values[n / 2]
      let expected = n % 2 == 1 ? values[n / 2] : (sum % 2 == 0 ? sum / 2 : sum / 2 + 1)
      XCTAssertEqual(row[1], .money(expected), name)
    }
  }

  /// A fixed sequence of pseudo-random numbers (a linear congruential generator).
  static func numbers(seed: UInt64) -> () -> UInt64 {
    var state = seed
    return {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state
    }
  }

  /// The selection of many integers by their high bits gives the k-th of the sorted values, for
  /// wide and narrow ranges, repeated values, negative ones and the extremes of Int64.
  func testIntegersAreSelectedAsSortingWould() {
    let next = ParallelAggregateTests.numbers(seed: 11)
    let makers: [(String, () -> Int64)] = [
      ("amounts", { Int64(next() >> 40) }),
      ("any Int64", { Int64(bitPattern: next()) }),
      ("few values", { Int64(next() >> 61) - 3 }),
      (
        "clustered with outliers", { next() % 100 == 0 ? (next() % 2 == 0 ? .min : .max) : 1_000 + Int64(next() >> 58) }
      ),
    ]
    for (kind, make) in makers {
      for count in [1, 65, 4_096, 50_001] {
        let values = (0..<count).map { _ in make() }
        let sorted = values.sorted()
        for k in Set([0, count / 2, (count - 1) / 2, count - 1]) {
          XCTAssertEqual(MedianAccumulator.select(integers: values, k), sorted[k], "\(kind), \(count) values, k = \(k)")
        }
        var copy = values
        let (lower, upper) = MedianAccumulator.middle(integers: &copy)
        XCTAssertEqual(lower, sorted[(count - 1) / 2], kind)
        XCTAssertEqual(upper, sorted[count / 2], kind)
      }
    }
  }

  /// Many doubles' middle values are those of the sorted values: fractions of days, negative
  /// ones, repeated ones, infinities; and with a NaN among them the quickselect still answers.
  func testMiddleDoublesAreThoseOfTheSortedValues() {
    let next = ParallelAggregateTests.numbers(seed: 5)
    let makers: [(String, () -> Double)] = [
      ("days", { Double(Int64(next() >> 40) - 1 << 22) / 86_400 }),
      ("any finite", { Double(bitPattern: next() & ~(0x7FF << 52)) }),
      ("few values", { [-2.5, -0.0, 0.0, 1.25, .infinity, -.infinity][Int(next() >> 61) % 6] }),
    ]
    for (kind, make) in makers {
      for count in [4_096, 4_097, 30_001] {
        var values = (0..<count).map { _ in make() }
        let sorted = values.sorted()
        let (lower, upper) = MedianAccumulator.middle(doubles: &values)
        XCTAssertEqual(lower, sorted[(count - 1) / 2], kind)
        XCTAssertEqual(upper, sorted[count / 2], kind)
      }
    }
  }

  /// A large table is scanned in parts of two chunks on the workers (three here, whatever the
  /// machine): the rows that pass, in order, and the chunks skipped are those of one pass.
  func testAScanInPartsEqualsOnePass() throws {
    Workers.threads = 3
    defer { Workers.threads = 0 }
    let rows = 9 * 65_536 + 123
    var amount = NumericColumnBuilder(name: "amount", type: .money)
    var status = StringColumnBuilder(name: "status")
    for row in 0..<rows {
      amount.append(Int64(row))  // ascending: min/max rule chunks out, or take them whole
      status.append(row % 3 == 0 ? "won" : "open")
    }
    let table = Table(name: "deals", columns: [amount.build(), status.build()], mainDate: nil)
    let filters: [BoundExpr] = [
      .compare(.greater, .column("amount", .money), .literal(.money(2 * 65_536 + 17), .money)),
      .compare(.equal, .column("status", .string), .literal(.string("won"), .string)),
    ]
    let scan = try TableScan(table: table, filters: filters)
    XCTAssertGreaterThanOrEqual(table.chunkCount, TableScan.parallelChunks)
    XCTAssertTrue(scan.inParts)
    let (parts, skipped) = try scan.run()
    let (onePass, skippedOnce) = try TableScan.scan(try XCTUnwrap(scan.filter), table, 0..<table.chunkCount, { false })
    XCTAssertEqual(parts.rows, onePass)
    XCTAssertEqual(skipped, skippedOnce)
    XCTAssertEqual(skipped, 2, "the first two chunks are below the bound")
    XCTAssertEqual(parts.count, (2 * 65_536 + 18..<rows).filter { $0 % 3 == 0 }.count)
  }
}
