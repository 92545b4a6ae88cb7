import CrmqDemo

#if canImport(Glibc)
  import Glibc
#endif

/// `crmq-bench scale --sizes 1000000,5000000,10000000`: `run` at each size (its own process, so
/// each peak memory is its own), then one table of every step at every size, crmq beside DuckDB,
/// and how the load's CPU time grows against the data.
struct ScalingTable {
  let command: BenchCommand

  func run() throws {
    let root = command.out ?? "bench/out"
    var figures: [Int: [(name: String, crmq: Double, duckdb: Double?)]] = [:]
    for size in command.sizes {
      let folder = "\(root)/deals-\(size)"
      let summary = folder + "/summary.tsv"
      var arguments = [
        CommandLine.arguments[0], "run", "--deals", "\(size)", "--out", folder, "--loads", "\(command.loads)", "--runs",
        "\(command.runs)", "--summary", summary,
      ]
      if !command.duckdb { arguments.append("--no-duckdb") }
      if command.dropCaches { arguments.append("--drop-caches") }
      print("== \(arguments.joined(separator: " "))")
      fflush(nil)
      guard system(arguments.map { "'\($0)'" }.joined(separator: " ")) == 0, let text = readText(summary) else {
        throw GeneratorError("the run at \(size) deals failed")
      }
      figures[size] = text.split(separator: "\n").map { line in
        let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return (cells[0], Double(cells[1]) ?? 0, cells.count > 2 ? Double(cells[2]) : nil)
      }
    }
    let sizes = command.sizes.filter { figures[$0] != nil }
    guard let first = sizes.first, let steps = figures[first] else { return }
    print("")
    print("scaling: medians of \(command.loads) loads and \(command.runs) runs; ms unless named; ratio = crmq / DuckDB")
    var header = pad("step", 60)
    func label(_ size: Int) -> String { size % 1_000_000 == 0 ? "\(size / 1_000_000)M" : "\(size / 1000)k" }
    for size in sizes {
      header +=
        pad("\(label(size)) crmq", 12, right: true) + pad("duckdb", 10, right: true) + pad("ratio", 7, right: true)
    }
    print(header)
    print(String(repeating: "-", count: header.count))
    for (index, step) in steps.enumerated() {
      var line = pad(step.name, 60)
      for size in sizes {
        guard let row = figures[size]?[index] else { continue }
        line += pad(format(row.crmq), 12, right: true) + pad(row.duckdb.map { format($0) } ?? "", 10, right: true)
        line += pad(row.duckdb.map { $0 > 0 ? format(row.crmq / $0, digits: 2) : "" } ?? "", 7, right: true)
      }
      print(line)
    }
    // CPU time per deal against the first size: 1.0 is linear.
    if let base = figures[first]?.first(where: { $0.name == "load: CPU time" }) {
      var line = pad("load CPU time ÷ deals, × the \(label(first)) figure (1.0: linear)", 60)
      for size in sizes {
        guard let cpu = figures[size]?.first(where: { $0.name == "load: CPU time" }) else { continue }
        let scale = Double(size) / Double(first)
        line += pad(format(cpu.crmq / base.crmq / scale, digits: 2), 12, right: true)
        let theirs = cpu.duckdb.flatMap { value in base.duckdb.map { value / $0 / scale } }
        line += pad(theirs.map { format($0, digits: 2) } ?? "", 10, right: true) + pad("", 7)
      }
      print(line)
    }
  }
}
