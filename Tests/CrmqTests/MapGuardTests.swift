import XCTest

@testable import CrmqImport

#if canImport(Glibc)
  import Glibc
#endif

/// A mapped file cut short while it is read: its vanished pages read as zeros instead of
/// killing the process with SIGBUS, and the file says it changed, so the load can refuse it.
final class MapGuardTests: XCTestCase {
  func testAFileCutShortWhileMappedIsReportedNotACrash() throws {
    let folder = try scratchFolder("crmq-sigbus")
    let path = folder + "/deals.csv"
    let size = 1 << 20
    try Data(repeating: UInt8(ascii: "x"), count: size).write(to: URL(fileURLWithPath: path))
    let file = try XCTUnwrap(MappedFile(path: path))
    XCTAssertFalse(file.changedWhileRead)
    XCTAssertEqual(truncate(path, 4096), 0)
    // Past the new end: without the guard, this read is SIGBUS.
    var sum = 0
    for index in stride(from: 0, to: size, by: 4096) { sum += Int(file.bytes[index]) }
    XCTAssertEqual(sum, Int(UInt8(ascii: "x")), "the first page still reads; the rest read as zeros")
    XCTAssertTrue(file.changedWhileRead)
    // A loader that finds it so refuses the file (E0522).
    XCTAssertEqual(MappedFile.changed("deals.csv").diagnostics.first?.code.rawValue, "E0522")
  }
}
