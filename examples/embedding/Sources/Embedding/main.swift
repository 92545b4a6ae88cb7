import Crmq
import Foundation

// Loads the bundled exports, asks a question with a parameter, and decodes the answer into
// this program's own type. Run from the repository: swift run --package-path examples/embedding
struct ManagerResult: Decodable {
  let manager: String
  let won: Int
  let revenue: Decimal
  let win_rate: Double?
}

let folder = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "examples/data"
do {
  let engine = try Engine(folder: folder)
  var session = Session(engine: engine, today: SystemClock.parseDate("2026-10-05"))
  let results = session.run(
    "won, revenue, win_rate by manager where amount >= $min period 2026-Q3 top 3", parameters: ["min": .int(50_000)])
  guard case .table(let table) = results[0].outcome else {
    if case .failure(let diagnostics) = results[0].outcome { print(DiagnosticRenderer().render(diagnostics)) }
    exit(1)
  }
  for row in try table.decode(ManagerResult.self) {
    let rate = row.win_rate.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
    print("\(row.manager): \(row.won) won for \(row.revenue) ₽, win rate \(rate)")
  }
} catch {
  print(error)
  exit(1)
}
