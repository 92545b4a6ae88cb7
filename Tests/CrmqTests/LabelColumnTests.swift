import CrmqStorage
import XCTest

/// A column of labels picked per row equals one built by appending each row's label.
final class LabelColumnTests: XCTestCase {
  func testPickedLabelsEqualAppendedTexts() {
    let labels = ["won", "lost", "open", "никогда"]
    let picks: ContiguousArray<Int32> = [2, -1, 0, 2, 1, -1, 0]
    let column = Column.labels(name: "stage_group", labels, picks: picks)
    var builder = StringColumnBuilder(name: "stage_group")
    for pick in picks { if pick < 0 { builder.appendNull() } else { builder.append(labels[Int(pick)]) } }
    let expected = builder.build()
    XCTAssertEqual((0..<picks.count).map { column.value(at: $0) }, (0..<picks.count).map { expected.value(at: $0) })
    guard case .dictionary(let codes, let dictionary) = column.data, case .dictionary(let expectedCodes, let expectedDictionary) = expected.data
    else { return XCTFail("not dictionary-coded") }
    XCTAssertEqual(codes, expectedCodes)
    XCTAssertEqual(dictionary.entries.map(\.value), ["open", "won", "lost"])
    XCTAssertEqual(dictionary.entries.map(\.rows), expectedDictionary.entries.map(\.rows))
    XCTAssertEqual(dictionary.nullCount, 2)
  }
}
