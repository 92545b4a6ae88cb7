import Crmq
import Foundation

/// Results as text to compare: each table as CSV, each failure as its rendered diagnostics.
enum Answers {
  static func text(_ results: [StatementResult]) -> String {
    results.map { result -> String in
      switch result.outcome {
      case .table(let table): return OutputFormat.csv.render(table)
      case .failure(let diagnostics): return DiagnosticRenderer().render(diagnostics)
      default: return ""
      }
    }.joined()
  }

  /// The repository's root folder.
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The crmq side of every benchmark question (bench/queries.txt).
  static func benchmarkQuestions() throws -> [String] {
    try String(contentsOf: repository.appendingPathComponent("bench/queries.txt"), encoding: .utf8)
      .split(separator: "\n").filter { $0.hasPrefix("crmq: ") }.map { String($0.dropFirst(6)) }
  }
}
