import XCTest

@testable import CrmqImport

/// Windows-1251 decoding: every byte value as Unicode says, and a long text decoded in parallel
/// stretches equal to the same text decoded whole.
final class Windows1251Tests: XCTestCase {
  func testEveryByteDecodesToItsCharacter() {
    let all = (0...255).map { UInt8($0) }
    let decoded = all.withUnsafeBufferPointer { Windows1251.decode($0) }
    var expected = ""
    for byte in all {
      expected.unicodeScalars.append(byte < 0x80 ? Unicode.Scalar(byte) : Unicode.Scalar(Windows1251.high[Int(byte) - 0x80]) ?? "\u{FFFD}")
    }
    XCTAssertEqual(String(decoding: decoded, as: UTF8.self), expected)
    XCTAssertEqual(String(decoding: [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2].withUnsafeBufferPointer { Windows1251.decode($0) }, as: UTF8.self), "Привет")
  }

  func testParallelStretchesJoinInOrder() {
    // 20 MB of varied bytes: three stretches, each boundary inside a run of Cyrillic.
    var bytes = [UInt8]()
    bytes.reserveCapacity(20 << 20)
    var state: UInt32 = 7
    while bytes.count < 20 << 20 {
      state = state &* 1_103_515_245 &+ 12345
      bytes.append(UInt8(truncatingIfNeeded: state >> 16))
    }
    let whole = bytes.withUnsafeBufferPointer { Windows1251.decode($0, 0..<$0.count) }
    let parallel = bytes.withUnsafeBufferPointer { Windows1251.decode($0) }
    XCTAssertEqual(parallel.count, whole.count)
    XCTAssertTrue(parallel == whole)
  }
}
