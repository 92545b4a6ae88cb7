import CrmqCore
import CrmqSemantics
import CrmqStorage
import XCTest

@testable import CrmqExecution

/// `is null` and `is not null` read the validity bitmap a word at a time: over a range of rows
/// and over a list of rows (as the second part of an `and`), with a bitmap and without one, they
/// keep exactly the rows whose validity says so.
final class NullTestFilterTests: XCTestCase {
  func testTheBitmapKernelKeepsWhatEachRowsValiditySays() throws {
    let rows = 1_000
    var sparse = NumericColumnBuilder(name: "closed_at", type: .date)
    var full = NumericColumnBuilder(name: "created_at", type: .date)
    for row in 0..<rows {
      // Nulls every third row, and rows 128..<256 all null: whole words of the bitmap either way.
      if row % 3 == 0 || (128..<256).contains(row) { sparse.appendNull() } else { sparse.append(Int64(row)) }
      full.append(Int64(row))
    }
    let table = Table(name: "deals", columns: [sparse.build(), full.build()], mainDate: nil)
    for name in ["closed_at", "created_at"] {
      let column = try XCTUnwrap(table.column(named: name))
      for isNot in [false, true] {
        let filter = try RowFilter.compile(.isNull(.column(name, .date), negated: isNot), table: table)
        XCTAssertTrue(filter is NullTestFilter)
        let expected = (0..<rows).filter { column.isValid($0) == isNot }.map { UInt32($0) }
        // Ranges that start and end inside words, and one that covers every row.
        for range in [0..<rows, 5..<70, 63..<65, 120..<300, 999..<1000] {
          var output = [UInt32](repeating: 0, count: range.count)
          let kept = output.withUnsafeMutableBufferPointer { filter.filter(range: range, into: $0.baseAddress!) }
          XCTAssertEqual(Array(output[..<kept]), expected.filter { range.contains(Int($0)) }, "\(name) \(range)")
        }
        // A list of rows, filtered in place as an `and` does.
        var list = (0..<rows).filter { $0 % 7 != 2 }.map { UInt32($0) }
        let kept = list.withUnsafeMutableBufferPointer { buffer in
          filter.filter(UnsafeBufferPointer(buffer), into: buffer.baseAddress!)
        }
        XCTAssertEqual(Array(list[..<kept]), expected.filter { $0 % 7 != 2 }, "\(name), a list of rows")
      }
    }
  }
}
