import CrmqSyntax
import Foundation
import XCTest

/// grammar/crmq.ebnf is the authority: every rule has exactly one parser method tagged with it,
/// and grammar/keywords.txt lists exactly the lexer's reserved words.
final class GrammarTests: XCTestCase {
  func read(_ path: String) throws -> String {
    try String(contentsOf: Repository.root.appendingPathComponent(path), encoding: .utf8)
  }

  func grammarRules() throws -> [String] {
    var text = try read("grammar/crmq.ebnf")
    // Drop comments (* … *).
    while let open = text.range(of: "(*"), let close = text.range(of: "*)", range: open.upperBound..<text.endIndex) {
      text.removeSubrange(open.lowerBound..<close.upperBound)
    }
    return text.split(separator: "\n").compactMap { line in
      let parts = line.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, let first = line.first, first.isLetter else { return nil }
      return parts[0].trimmingCharacters(in: .whitespaces)
    }
  }

  func parserTags() throws -> [String] {
    let folder = Repository.root.appendingPathComponent("Sources/CrmqSyntax")
    var tags: [String] = []
    for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasPrefix("Parser") {
      let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      for line in text.split(separator: "\n") {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("/// grammar: ") { tags.append(String(trimmed.dropFirst("/// grammar: ".count))) }
      }
    }
    return tags
  }

  func testEveryRuleHasOneParserMethod() throws {
    let rules = try grammarRules()
    let tags = try parserTags()
    XCTAssertGreaterThan(rules.count, 20)
    XCTAssertEqual(Set(rules).count, rules.count, "a rule is defined twice in crmq.ebnf")
    let duplicates = Dictionary(grouping: tags, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    XCTAssertEqual(duplicates, [], "rules tagged on more than one parser method")
    XCTAssertEqual(
      Set(rules).subtracting(tags).sorted(), [], "rules with no parser method")
    XCTAssertEqual(Set(tags).subtracting(rules).sorted(), [], "parser methods tagged with a rule the grammar lacks")
  }

  func testKeywordListMatchesTheLexer() throws {
    let listed = try read("grammar/keywords.txt").split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    XCTAssertEqual(listed, listed.sorted(), "keywords.txt is kept sorted")
    XCTAssertEqual(listed, Keyword.allCases.map(\.rawValue).sorted())
  }
}
