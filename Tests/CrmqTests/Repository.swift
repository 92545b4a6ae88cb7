import Foundation

/// The repository the tests run in: its root folder, and what they read from it.
enum Repository {
  /// The repository's root folder.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The crmq side of every benchmark question (bench/queries.txt).
  static func benchmarkQuestions() throws -> [String] {
    try String(contentsOf: root.appendingPathComponent("bench/queries.txt"), encoding: .utf8)
      .split(separator: "\n").filter { $0.hasPrefix("crmq: ") }.map { String($0.dropFirst(6)) }
  }
}
