import XCTest

@testable import CrmqImport

/// Amounts as exports write them: Russian and English separators, and doubles from workbooks
/// rounded to the kopeck half away from zero, with float noise told apart from a real rounding.
final class AmountFormatTests: XCTestCase {
  func reading(_ text: String, commaGroups: Bool = false) -> AmountFormat.Reading? {
    Array(text.utf8).withUnsafeBufferPointer { AmountFormat(commaGroups: commaGroups).kopecks($0) }
  }

  func testRussianAmounts() {
    XCTAssertEqual(reading("50 000,00"), .init(kopecks: 5_000_000))
    XCTAssertEqual(reading("15000.5 ₽"), .init(kopecks: 1_500_050))
    XCTAssertEqual(reading("12.500,75"), .init(kopecks: 1_250_075))
    XCTAssertEqual(reading("1,250,000"), .init(kopecks: 125_000_000))
    // One comma with three digits may be a thousands separator: never read as 12.50.
    XCTAssertNil(reading("12,500"))
  }

  func testEnglishAmounts() {
    XCTAssertEqual(reading("12,500.00", commaGroups: true), .init(kopecks: 1_250_000))
    XCTAssertEqual(reading("15,000", commaGroups: true), .init(kopecks: 1_500_000))
    XCTAssertEqual(reading("1,250,000.5", commaGroups: true), .init(kopecks: 125_000_050))
    // A decimal comma in an English file fits no grouping: left unread, never 100.
    XCTAssertNil(reading("1,00", commaGroups: true))
    XCTAssertNil(reading("12,50,0", commaGroups: true))
  }

  func testDoublesRoundHalfAwayFromZero() {
    XCTAssertEqual(reading("66288.71000000001"), .init(kopecks: 6_628_871, rounded: true, noise: true))
    XCTAssertEqual(reading("66288.70999999999"), .init(kopecks: 6_628_871, rounded: true, noise: true))
    XCTAssertEqual(reading("12345.675"), .init(kopecks: 1_234_568, rounded: true, noise: false))
    XCTAssertEqual(reading("-12345.675"), .init(kopecks: -1_234_568, rounded: true, noise: false))
    XCTAssertEqual(reading("333333.3333333333"), .init(kopecks: 33_333_333, rounded: true, noise: false))
    XCTAssertEqual(reading("-0.005"), .init(kopecks: -1, rounded: true, noise: false))
    XCTAssertEqual(reading("0.0049"), .init(kopecks: 0, rounded: true, noise: false))
    // Three decimals after at most three digits may be a dot between thousands: refused.
    XCTAssertNil(reading("1.250"))
    XCTAssertNil(reading("125.000"))
    XCTAssertEqual(reading("1250.000"), .init(kopecks: 125_000))
    XCTAssertEqual(reading("1.2345E4"), .init(kopecks: 1_234_500))
    XCTAssertEqual(reading("6.62887100000001E4"), .init(kopecks: 6_628_871, rounded: true, noise: true))
    XCTAssertEqual(reading("1E-9"), .init(kopecks: 0, rounded: true, noise: true))
    XCTAssertNil(reading("1e30"))
    XCTAssertNil(reading("92233720368547758.075"))
    XCTAssertNil(reading("12.3.4"))
  }

  func testTheColumnDecidesTheSeparators() {
    func evidence(_ text: String) -> AmountFormat.Evidence? {
      Array(text.utf8).withUnsafeBufferPointer { AmountFormat.evidence($0) }
    }
    XCTAssertEqual(evidence("12,500.00"), .commaGroups("12,500.00"))
    XCTAssertEqual(evidence("15,000"), .commaGroups("15,000"))
    XCTAssertEqual(evidence("15 000,50"), .commaDecimal)
    XCTAssertEqual(evidence("12.500,00"), .commaDecimal)
    XCTAssertNil(evidence("15000.50"))
  }
}
