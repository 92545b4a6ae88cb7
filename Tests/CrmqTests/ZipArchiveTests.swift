import Foundation
import XCTest

@testable import CrmqImport

/// The workbook reader's own ZIP and DEFLATE code against an archive written by Python's zipfile
/// (zlib): a stored entry, deflate level 0 (stored blocks), a long run (copies that overlap
/// themselves), dynamic-Huffman text, an empty entry; and damaged archives refused with a reason.
final class ZipArchiveTests: XCTestCase {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("CrmqGoldenTests/fixtures/zip_methods.zip")

  /// A load cancelled while a workbook is read stops there (the shell's Ctrl-C during a long XLSX).
  func testReadingAWorkbookStopsWhenCancelled() throws {
    let url = ExportTests.fixtures.appendingPathComponent("export_amocrm_xlsx/amocrm_export.xlsx")
    let bytes = try [UInt8](Data(contentsOf: url))
    XCTAssertNoThrow(try bytes.withUnsafeBufferPointer { try XLSXWorkbook($0) })
    XCTAssertThrowsError(try bytes.withUnsafeBufferPointer { try XLSXWorkbook($0, cancelled: { true }) }) { error in
      guard case XLSXWorkbook.Failure.cancelled = error else { return XCTFail("\(error)") }
    }
  }

  /// CRC-32 eight bytes a step equals the byte-at-a-time definition, at every length around the
  /// step, and the standard check value.
  func testCRC32SlicedEqualsTheDefinition() {
    XCTAssertEqual(ZipArchive.crc32(Array("123456789".utf8)), 0xCBF4_3926)
    var bytes: [UInt8] = []
    for length in 0..<100 {
      var crc: UInt32 = 0xFFFF_FFFF
      for byte in bytes { crc = ZipArchive.crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
      XCTAssertEqual(ZipArchive.crc32(bytes), ~crc, "length \(length)")
      bytes.append(UInt8(truncatingIfNeeded: length &* 131 &+ 7))
    }
  }

  func testEntriesReadAsWritten() throws {
    let data = try [UInt8](Data(contentsOf: ZipArchiveTests.fixture))
    try data.withUnsafeBufferPointer { bytes in
      let archive = try ZipArchive(bytes)
      XCTAssertEqual(Set(archive.entries.keys), ["stored.txt", "repeat.txt", "numbers.txt", "empty.txt", "level0.txt"])
      XCTAssertEqual(try archive.read("stored.txt"), Array("hello, stored".utf8))
      XCTAssertEqual(try archive.read("repeat.txt"), Array(String(repeating: "abc", count: 100_000).utf8))
      XCTAssertEqual(try archive.read("numbers.txt"), Array((1...10_000).map { "\($0)\n" }.joined().utf8))
      XCTAssertEqual(try archive.read("empty.txt"), [])
      XCTAssertEqual(try archive.read("level0.txt"), Array((1...500).map { "строка \($0)\n" }.joined().utf8))
      XCTAssertNil(try archive.read("missing.txt"))
    }
  }

  func testDamageIsReportedNotCrashedOn() throws {
    let data = try [UInt8](Data(contentsOf: ZipArchiveTests.fixture))
    // Cut short: no directory at the end.
    try data.prefix(data.count / 2).withUnsafeBufferPointer { bytes in
      XCTAssertThrowsError(try ZipArchive(bytes)) { XCTAssertEqual($0 as? ZipArchive.Failure, .notAZip) }
    }
    // Bytes of the compressed data flipped, one at a time: each is caught (by the decoder or the
    // CRC-32), never a crash or other bytes returned as good.
    let archive = try data.withUnsafeBufferPointer { try ZipArchive($0) }
    let entry = try XCTUnwrap(archive.entries["numbers.txt"])
    let start = entry.localHeader + 30 + "numbers.txt".utf8.count
    for offset in stride(from: start, to: start + min(entry.compressedSize, 400), by: 7) {
      var damaged = data
      damaged[offset] ^= 0x5A
      try damaged.withUnsafeBufferPointer { bytes in
        XCTAssertThrowsError(try ZipArchive(bytes).read("numbers.txt"), "byte \(offset) flipped") {
          XCTAssertEqual($0 as? ZipArchive.Failure, .corrupt("numbers.txt"))
        }
      }
    }
  }

  /// Malformed sheet XML or HTML (a damaged or hand-made file) gives some rows or none, never a trap.
  func testMalformedSheetXMLDoesNotTrap() {
    let inputs = [
      "", "<", "</>", "<//>", "< >", "<c", "<c r=\"",
      "<row><c r=\"ZZZZZZZZZZZZZZ1\" t=\"s\"><v>99999999999999999999</v></c></row>",
      "<row><c t=\"s\"><v>-1</v></c><c r=\"A1\" s=\"1\"><v>1e308</v></c></row>",
      "&#xFFFFFFFF;<row>&#;<c><v>&amp</v></c></row>",
      "<sst><si><t>unclosed", "<numFmt numFmtId=\"164\" formatCode=\"[\"/><cellXfs><xf numFmtId=\"164\"/>",
      "<row><c r=\"B2\"><is><t>a</t></is></c></row></row></row><c>",
    ]
    for input in inputs {
      let bytes = Array(input.utf8)
      _ = XLSXWorkbook.csv(bytes, range: 0..<bytes.count, strings: [[65]], dateStyles: [1], date1904: false)
      _ = XLSXWorkbook.sharedStrings(bytes)
      _ = XLSXWorkbook.dateStyles(bytes)
      _ = XLSXWorkbook.rowCuts(bytes, parts: 3)
    }
    for input in [
      "<", "<td", "<!--", "<td>&", "<td>&#", "<td>&#x110000;", "<script>", "<tr><td>a</td>&amp;</tr></tr><td>",
      "<<td>>",
    ] {
      _ = Array(input.utf8).withUnsafeBufferPointer { HTMLTable.csv($0) }
    }
    let row = Array("<row><c r=\"C1\" t=\"inlineStr\"><is><t>x &lt;y&gt;</t></is></c></row>".utf8)
    XCTAssertEqual(
      String(
        decoding: XLSXWorkbook.csv(row, range: 0..<row.count, strings: [], dateStyles: [], date1904: false).bytes,
        as: UTF8.self),
      ",,x <y>\n")
  }

  /// A 200 KB part that inflates to 200 MB (a thousand times over) is refused once it passes the
  /// limit, whether its header says its size, lies with a small one, or claims a huge one.
  func testAPartThatInflatesPastItsLimitIsRefused() throws {
    let url = ExportTests.fixtures.appendingPathComponent("zip_bomb.zip")
    var data = try [UInt8](Data(contentsOf: url))
    let limit = ZipArchive.limit(compressed: data.count)
    XCTAssertEqual(limit, ZipArchive.smallPart)
    func read() -> Error? {
      data.withUnsafeBufferPointer { bytes in
        do {
          _ = try ZipArchive(bytes).read("xl/worksheets/sheet1.xml")
          return nil
        } catch { return error }
      }
    }
    XCTAssertEqual(read() as? ZipArchive.Failure, .tooLarge("xl/worksheets/sheet1.xml", limit))
    // The central directory's uncompressed size: a lie either way is refused as well.
    let central = try XCTUnwrap(
      (0..<(data.count - 4)).last { data[$0] == 0x50 && data[$0 + 1] == 0x4B && data[$0 + 2] == 1 && data[$0 + 3] == 2 }
    )
    for declared: UInt32 in [1000, 0xFFFF_FFF0] {
      for index in 0..<4 { data[central + 24 + index] = UInt8(truncatingIfNeeded: declared >> (8 * UInt32(index))) }
      XCTAssertEqual(
        read() as? ZipArchive.Failure, .tooLarge("xl/worksheets/sheet1.xml", limit), "declared \(declared)")
    }
    XCTAssertTrue(ZipArchive.Failure.tooLarge("x", limit).reason.contains("more than 200 times its compressed size"))
  }
}
