import Crmq

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
}
