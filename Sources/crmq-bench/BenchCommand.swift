import Crmq
import CrmqDemo

#if canImport(Glibc)
  import Glibc
#endif

/// `crmq-bench generate …` and `crmq-bench run …`.
struct BenchCommand {
  var subcommand = "run"
  var deals = 1_000_000
  var seed: UInt64 = 42
  var out: String?
  var runs = 7
  var loads = 3
  var duckdb = true
  /// Also time loading the deals as each CRM's export (`--exports`).
  var exports = false
  /// `run --summary FILE`: the figures also as tab-separated lines, for `scale`.
  var summary: String?
  /// `scale --sizes 1000000,5000000,…`: the data set sizes to run side by side.
  var sizes: [Int] = [1_000_000, 5_000_000, 10_000_000]
  /// `--drop-caches`: the page cache dropped and the CSV files read once before each engine's
  /// loads (`PageCache`).
  var dropCaches = false

  init(arguments: [String]) throws {
    var rest = arguments[...]
    if let first = rest.first, !first.hasPrefix("-") {
      subcommand = first
      rest = rest.dropFirst()
    }
    while let flag = rest.popFirst() {
      func value() throws -> String {
        guard let v = rest.popFirst() else { throw GeneratorError("\(flag) needs a value") }
        return v
      }
      switch flag {
      case "--deals": deals = Int(try value()) ?? deals
      case "--seed": seed = UInt64(try value()) ?? seed
      case "--out": out = try value()
      case "--runs": runs = max(1, Int(try value()) ?? runs)
      case "--loads": loads = max(1, Int(try value()) ?? loads)
      case "--no-duckdb": duckdb = false
      case "--threads": Workers.threads = max(1, Int(try value()) ?? 0)
      case "--exports": exports = true
      case "--summary": summary = try value()
      case "--drop-caches": dropCaches = true
      case "--sizes": sizes = try value().split(separator: ",").map { Int($0) ?? 0 }.filter { $0 > 0 }
      default:
        throw GeneratorError(
          "unknown option \(flag); use generate|run|scale [--deals N] [--sizes N,N,…] [--seed S] [--out DIR] [--runs K] [--loads K] [--no-duckdb] [--threads N] [--exports] [--summary FILE] [--drop-caches]"
        )
      }
    }
  }

  var folder: String { out ?? "bench/out/deals-\(deals)" }

  func run() throws {
    switch subcommand {
    case "generate":
      let bytes = try generate()
      print("wrote \(folder): \(deals) deals, \(bytes / 1_000_000) MB")
    case "run":
      try benchmark()
    case "scale":
      try ScalingTable(command: self).run()
    default:
      throw GeneratorError("unknown command '\(subcommand)': use generate, run or scale")
    }
  }

  func generate() throws -> Int {
    mkdirs(folder)
    return try DataGenerator(deals: deals, seed: seed).write(to: folder)
  }

  func benchmark() throws {
    let marker = folder + "/.complete"
    if access(marker, F_OK) != 0 {
      print("generating \(deals) deals into \(folder) …")
      let started = SystemClock.milliseconds()
      let bytes = try generate()
      if let file = fopen(marker, "w") { fclose(file) }
      print("generated \(bytes / 1_000_000) MB in \(Int(SystemClock.milliseconds() - started)) ms")
    }
    let queries = try BenchQuery.load()
    if dropCaches { PageCache.settle(folder) }
    // crmq's tables are let go before DuckDB runs, so it has the memory crmq had.
    let mine = try timeCrmq(queries)
    var duck: DuckResult?
    if duckdb {
      if dropCaches { PageCache.settle(folder) }
      duck = try runDuckDB(queries)
    }
    let snapshot = try SnapshotReopen(folder: folder, loads: loads, question: queries[0], duckdb: duckdb).run()

    print("")
    print(
      "crmq-bench: \(deals) deals, \(mine.bytes / 1_000_000) MB of CSV in \(folder); medians of \(loads) loads and \(runs) runs"
    )
    print("machine: \(cpuModel()), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores")
    print("")
    let header =
      pad("step", 84) + pad("crmq ms", 10, right: true) + pad("duckdb ms", 11, right: true)
      + pad("ratio", 8, right: true)
    print(header)
    print(String(repeating: "-", count: header.count))
    func row(_ name: String, _ mine: Double, _ theirs: Double?) {
      var line = pad(name, 84) + pad(format(mine), 10, right: true)
      if let theirs {
        line += pad(format(theirs), 11, right: true) + pad(format(mine / theirs, digits: 3), 8, right: true)
      }
      print(line)
    }
    row("load (all files)", median(mine.load), duck.map { median($0.load) })
    row("load: CPU time (user + system, all threads)", median(mine.loadCPU), duck.map { median($0.loadCPU) })
    row(
      "first load, snapshot written meanwhile: tables ready (DuckDB: its load)", snapshot.crmq.load,
      duck.map { median($0.load) })
    row("first load: snapshot written (DuckDB: its load)", snapshot.crmq.write, duck.map { median($0.load) })
    row(
      "reopen from snapshot + \(queries[0].crmq) (DuckDB: its database file)", median(snapshot.crmq.reopen),
      snapshot.duckdb.map { median($0.reopen) })
    for (index, query) in queries.enumerated() {
      row(query.crmq, median(mine.queries[index]), duck.map { median($0.queries[index]) })
    }
    print("")
    print(
      "peak resident memory: crmq \(mine.peakMB) MB" + (duck.map { ", duckdb (python process) \($0.peakMB) MB" } ?? ""))
    print(
      "snapshot: \(snapshot.crmq.size / 1_000_000) MB"
        + (snapshot.duckdb.map { ", DuckDB's database file \($0.size / 1_000_000) MB" } ?? ""))
    if let summary {
      var lines: [String] = []
      func line(_ name: String, _ mine: Double, _ theirs: Double?) {
        lines.append([name, format(mine), theirs.map { format($0) } ?? ""].joined(separator: "\t"))
      }
      line("load (all files)", median(mine.load), duck.map { median($0.load) })
      line("load: CPU time", median(mine.loadCPU), duck.map { median($0.loadCPU) })
      line("peak resident memory, MB", Double(mine.peakMB), duck.map { Double($0.peakMB) })
      line("reopen + first question", median(snapshot.crmq.reopen), snapshot.duckdb.map { median($0.reopen) })
      line(
        "snapshot / database file, MB", Double(snapshot.crmq.size / 1_000_000),
        snapshot.duckdb.map { Double($0.size / 1_000_000) })
      for (index, query) in queries.enumerated() {
        line(query.crmq, median(mine.queries[index]), duck.map { median($0.queries[index]) })
      }
      guard let file = fopen(summary, "w") else { throw GeneratorError("cannot write \(summary)") }
      fputs(lines.joined(separator: "\n") + "\n", file)
      fclose(file)
    }
    if exports { try ExportLoads(folder: folder, loads: loads).run() }
  }

  struct CrmqResult {
    var load: [Double] = []
    var loadCPU: [Double] = []
    var queries: [[Double]] = []
    var peakMB = 0
    var bytes = 0
  }

  /// crmq's loads (the last one kept) and each question's runs on what it loaded.
  func timeCrmq(_ queries: [BenchQuery]) throws -> CrmqResult {
    var result = CrmqResult()
    var engine: Engine?
    for _ in 0..<loads {
      engine = nil
      let started = SystemClock.milliseconds()
      let cpu = cpuMilliseconds()
      engine = try Engine(folder: folder, cache: nil)
      result.load.append(SystemClock.milliseconds() - started)
      result.loadCPU.append(cpuMilliseconds() - cpu)
    }
    guard let engine else { return result }
    // As the command does once its tables are loaded.
    engine.keepFreedBlocks()
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    for query in queries {
      var times: [Double] = []
      for _ in 0..<runs {
        let started = SystemClock.milliseconds()
        let results = session.run(query.crmq)
        times.append(SystemClock.milliseconds() - started)
        if let failure = results.first(where: \.failed), case .failure(let diagnostics) = failure.outcome {
          throw GeneratorError("crmq failed on '\(query.crmq)':\n" + DiagnosticRenderer().render(diagnostics))
        }
      }
      result.queries.append(times)
    }
    result.peakMB = peakResidentMB()
    result.bytes = engine.loadedBytes
    return result
  }

  struct DuckResult {
    var load: [Double]
    var loadCPU: [Double] = []
    var queries: [[Double]]
    var peakMB: Int
  }

  func runDuckDB(_ queries: [BenchQuery]) throws -> DuckResult {
    let queriesFile = folder + "/queries.sql"
    guard let file = fopen(queriesFile, "w") else { throw GeneratorError("cannot write \(queriesFile)") }
    for query in queries { fputs(query.sql + ";\n", file) }
    fclose(file)
    let resultFile = folder + "/duckdb.txt"
    let command = "python3 bench/duckdb_bench.py '\(folder)' '\(queriesFile)' \(loads) \(runs) > '\(resultFile)'"
    guard system(command) == 0, let text = readText(resultFile) else {
      throw GeneratorError("the DuckDB side failed (pip install duckdb); use --no-duckdb to skip it")
    }
    var result = DuckResult(load: [], queries: [], peakMB: 0)
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ")
      guard let kind = parts.first else { continue }
      let numbers = parts.dropFirst().compactMap { Double($0) }
      switch kind {
      case "load": result.load = numbers
      case "load_cpu": result.loadCPU = numbers
      case "query": result.queries.append(numbers)
      case "peak_mb": result.peakMB = Int(numbers.first ?? 0)
      default: break
      }
    }
    guard result.queries.count == queries.count else {
      throw GeneratorError("the DuckDB side printed \(result.queries.count) queries")
    }
    return result
  }
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return 0 }
  return sorted.count % 2 == 1
    ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double, digits: Int = 1) -> String {
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let rounded = (value * scale).rounded() / scale
  return String(rounded)
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
  let count = text.count
  if count >= width { return right ? " " + text : String(text.prefix(width - 1)) + " " }
  let spaces = String(repeating: " ", count: width - count)
  return right ? spaces + text : text + spaces
}

func mkdirs(_ path: String) {
  var current = path.hasPrefix("/") ? "" : "."
  for part in path.split(separator: "/") {
    current += "/" + part
    mkdir(current, 0o755)
  }
}

func readText(_ path: String) -> String? { TextFiles.read(path) }

/// User and system time of this process so far, every thread's, in milliseconds.
func cpuMilliseconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  func ms(_ time: timeval) -> Double { Double(time.tv_sec) * 1000 + Double(time.tv_usec) / 1000 }
  return ms(usage.ru_utime) + ms(usage.ru_stime)
}

/// VmHWM of this process, in MB.
func peakResidentMB() -> Int {
  guard let status = readText("/proc/self/status") else { return 0 }
  for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
    let digits = line.filter(\.isNumber)
    return (Int(digits) ?? 0) / 1024
  }
  return 0
}

func cpuModel() -> String {
  guard let info = readText("/proc/cpuinfo") else { return "unknown CPU" }
  for line in info.split(separator: "\n") where line.hasPrefix("model name") {
    return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingPrefix(" ") }.map(String.init)
      ?? "unknown CPU"
  }
  return "unknown CPU"
}
