import Crmq
import Foundation
import XCTest

/// Listing a folder reads each entry's name up to its end and no further. Copying the whole
/// `d_name` (256 bytes) read past glibc's buffer for the last entries of a large folder: the
/// protocol's fuzz target found it (`complete` on `load '../` from a folder beside many files);
/// the address-sanitized run of this suite catches it again.
final class DirectoryListingTests: XCTestCase {
  func testAFolderOfManyNamesIsListedWhole() throws {
    let folder = try scratchFolder("crmq-listing")
    var expected: Set<String> = []
    for index in 0..<400 {
      // Names of every length up to 200 bytes, Cyrillic among them.
      let name = String(repeating: index % 3 == 0 ? "д" : "a", count: 1 + index % 100) + "\(index).csv"
      FileManager.default.createFile(atPath: folder + "/" + name, contents: Data())
      expected.insert(name)
    }
    try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
    let entries = DirectoryListing.entries(of: folder)
    XCTAssertEqual(Set(entries.map(\.name)), expected.union(["sub"]))
    XCTAssertEqual(entries.filter(\.isFolder).map(\.name), ["sub"])
    // Tab over the same folder: every file, and the folder with its slash.
    let completer = Completer(engine: try Engine(folder: "examples/data", cache: nil))
    let line = "load '\(folder)/"
    let candidates = completer.completions(line: line, cursor: line.count)
    XCTAssertEqual(candidates.count, 401)
    XCTAssertTrue(candidates.contains("'\(folder)/sub/"), "\(candidates.prefix(3))")
  }
}
