import Foundation
import XCTest

/// What an embedder sees (the facade, and the Core and Output modules it re-exports) is
/// documented: every public declaration has a `///` comment.
final class DocCommentTests: XCTestCase {
  static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources")

  func testEveryPublicDeclarationAnEmbedderSeesIsDocumented() throws {
    var files: [URL] = []
    for module in ["Crmq", "CrmqCore", "CrmqOutput"] {
      let folder = DocCommentTests.sources.appendingPathComponent(module)
      files += try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "swift" }
    }
    files.append(DocCommentTests.sources.appendingPathComponent("CrmqImport/TableAppender.swift"))
    var undocumented: [String] = []
    for file in files {
      let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
      for (index, line) in lines.enumerated() where line.trimmingCharacters(in: .whitespaces).hasPrefix("public ") {
        var above = index - 1
        while above >= 0 && lines[above].trimmingCharacters(in: .whitespaces).hasPrefix("@") { above -= 1 }
        if above < 0 || !lines[above].trimmingCharacters(in: .whitespaces).hasPrefix("///") {
          undocumented.append("\(file.lastPathComponent):\(index + 1): \(line.trimmingCharacters(in: .whitespaces))")
        }
      }
    }
    XCTAssertGreaterThan(files.count, 30)
    XCTAssertEqual(undocumented, [], "public declarations without a /// comment")
  }
}
