import XCTest

@testable import CrmqStorage

/// Coding texts a batch at a time gives the codes that coding them one by one gives.
final class ByteInternerTests: XCTestCase {
  func testCodingInBatchesAgreesWithOneAtATime() {
    var state: UInt64 = 11
    var arena: [UInt8] = []
    var ends: [Int] = []
    for _ in 0..<50_000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      // Mostly distinct clients with repeats among them, of every length around a word.
      let client = Int(state >> 44) % 30_000
      arena += Array("ООО «Север \(client)»".utf8.prefix(Int(state >> 60) + 1 + client % 23))
      ends.append(arena.count)
    }
    // Some texts already known, as when a segment coded its first rows itself.
    var one = ByteInterner()
    var batched = ByteInterner()
    for text in ["Сайт", "ООО «Север 17»"] {
      var copy = text
      copy.withUTF8 {
        _ = one.intern($0)
        _ = batched.intern($0)
      }
    }
    var expected: [UInt32] = []
    var start = 0
    arena.withUnsafeBufferPointer { texts in
      for end in ends {
        expected.append(one.intern(UnsafeBufferPointer(rebasing: texts[start..<end])))
        start = end
      }
    }
    var codes = [UInt32](repeating: 0, count: ends.count)
    var order: [Int] = []
    arena.withUnsafeBufferPointer { texts in
      ends.withUnsafeBufferPointer { ends in
        batched.intern(all: texts, ends: ends) { index, code in
          codes[index] = code
          order.append(index)
        }
      }
    }
    XCTAssertEqual(codes, expected)
    XCTAssertEqual(order, Array(ends.indices))
    XCTAssertEqual(batched.count, one.count)
    for code in 1..<one.count { XCTAssertEqual(batched.string(at: code), one.string(at: code)) }
  }

  /// Texts found among the recent ones get the codes hashing gives them, also when texts of one
  /// length share their first and last eight bytes and so compete for one place.
  func testRecentTextsGetTheCodesHashingGives() {
    let labels = ["Новая заявка", "Квалификация", "Успешно реализовано", "won", "", "Анна Смирнова", "Анна Смирнова"]
    // One length, the same outer words, a different middle: the same place, never the same text.
    let twins = (0..<20).map { "Клиент-\($0 % 10)\($0 / 10)-Москва" }
    var state: UInt64 = 5
    var texts: [String] = []
    for _ in 0..<5000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let pick = Int(state >> 33)
      texts.append(pick % 3 == 0 ? twins[pick % twins.count] : labels[pick % labels.count])
    }
    var hashed = ByteInterner()
    var recent = ByteInterner()
    for text in texts {
      var copy = text
      copy.withUTF8 { bytes in
        guard !bytes.isEmpty else { return }
        XCTAssertEqual(recent.internRecent(bytes), hashed.intern(bytes), text)
      }
    }
    XCTAssertEqual(recent.count, hashed.count)
  }

  /// Byte comparison at every length up to three words, with one byte changed at each place.
  func testBytesCompareAtEveryLengthAndPlace() {
    for count in 1...24 {
      let a = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37 + 1) }
      a.withUnsafeBufferPointer { x in
        XCTAssertTrue(memcmpBytes(x.baseAddress!, x.baseAddress!, count))
        for place in 0..<count {
          var b = a
          b[place] ^= 0x40
          b.withUnsafeBufferPointer { y in
            XCTAssertFalse(memcmpBytes(x.baseAddress!, y.baseAddress!, count), "\(count), \(place)")
          }
        }
      }
    }
  }
}
