import XCTest

@testable import CrmqImport

/// The JSON reader of API histories: RFC 8259 text, the fields asked for, errors with their
/// place, and bounded on hostile input.
final class JSONReaderTests: XCTestCase {
  func read(_ text: String, keeping: Set<String>? = nil) throws -> JSONValue {
    var copy = text
    return try copy.withUTF8 { try JSONReader.read($0, keeping: keeping) }
  }

  func failure(_ text: String) -> JSONReader.Failure? {
    do {
      _ = try read(text)
      return nil
    } catch let failure as JSONReader.Failure {
      return failure
    } catch {
      return nil
    }
  }

  func testValuesEscapesAndNumbers() throws {
    let value = try read(
      #"{"a": [1, -2, 3.5, 1e19, 99999999999999999999, true, false, null], "s": "Сделка \"Альфа\"\n\u00e9\ud83d\ude00\/"}"#
    )
    guard case .array(let items)? = value["a"] else { return XCTFail("no array: \(value)") }
    XCTAssertEqual(items.count, 8)
    if case .int(let one) = items[0] { XCTAssertEqual(one, 1) } else { XCTFail("1 is an integer") }
    if case .int(let two) = items[1] { XCTAssertEqual(two, -2) } else { XCTFail("-2 is an integer") }
    if case .double(let big) = items[3] { XCTAssertEqual(big, 1e19) } else { XCTFail("1e19 is a double") }
    if case .double = items[4] {} else { XCTFail("a number past Int64 is a double, not a trap") }
    XCTAssertEqual(items[3].quoted, "1e+19")
    XCTAssertEqual(value["s"]?.string, "Сделка \"Альфа\"\né😀/")
  }

  func testOnlyTheFieldsAskedForAreKept() throws {
    let value = try read(#"{"id": 1, "big": {"deep": [1, 2, {"x": "y"}]}, "name": "n"}"#, keeping: ["id", "name"])
    guard case .object(let fields) = value else { return XCTFail("not an object") }
    XCTAssertEqual(fields.map(\.key), ["id", "name"])
  }

  func testErrorsSayWhere() throws {
    let cut = try XCTUnwrap(failure("[\n {\"a\": 1,\n  \"b\": 2"))
    XCTAssertEqual([cut.line, cut.column], [3, 9])
    XCTAssertEqual(cut.message, "the text ends inside an object")
    XCTAssertEqual(failure("{\"a\" 1}")?.message, "':' expected after a field name")
    XCTAssertEqual(failure("[1,]")?.message, "']' where a value should be")
    XCTAssertEqual(failure("\"\\q\"")?.message, "'\\q' is no escape")
    XCTAssertEqual(failure("[1] 2")?.message, "text after the JSON value")
    XCTAssertNotNil(failure("\"a\u{1}b\""), "a control character inside a string")
    XCTAssertNotNil(failure("01x"))
  }

  func testDeepNestingIsAnErrorNotACrash() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    XCTAssertEqual(failure(deep)?.message, "nested deeper than 256 levels")
    XCTAssertNil(failure(String(repeating: "[", count: 200) + String(repeating: "]", count: 200)))
  }

  func testAByteOrderMarkIsSkipped() throws {
    XCTAssertEqual(try read("\u{FEFF}{\"id\": \"x\"}")["id"]?.string, "x")
  }
}
