import Crmq
import CrmqCore
import CrmqDemo

#if canImport(Glibc)
  import Glibc
#endif

/// The snapshot rows of `crmq-bench run`: the first load of the folder, and the snapshot it writes
/// meanwhile; then
/// `loads` times the folder opened from its snapshot and the first question answered, beside
/// DuckDB opening a database file of the same data and answering the same question
/// (bench/duckdb_reopen.py); and the two files' sizes.
struct SnapshotReopen {
  let folder: String
  let loads: Int
  let question: BenchQuery
  let duckdb: Bool

  struct Timings {
    /// The first load, until its tables are there (the snapshot is written meanwhile).
    var load: Double
    /// Until the snapshot is written as well.
    var write: Double
    var reopen: [Double]
    var size: Int
  }

  func run() throws -> (crmq: Timings, duckdb: (reopen: [Double], size: Int)?) {
    // The files were just generated and stay as they are: no need to wait for them to settle.
    let cache = SnapshotCache(directory: folder + "/.bench-snapshots", settleSeconds: 0)
    _ = system("rm -rf '\(cache.directory)'")
    let started = SystemClock.milliseconds()
    let first = try Engine(folder: folder, cache: cache)
    let load = SystemClock.milliseconds() - started
    let failures = SnapshotWrites.shared.finish()
    let write = SystemClock.milliseconds() - started
    guard first.snapshot.written != nil, failures.isEmpty else {
      throw GeneratorError("no snapshot was written: \(failures + [first.snapshot.notWritten ?? ""])")
    }
    var timings = Timings(load: load, write: write, reopen: [], size: 0)
    for _ in 0..<loads {
      let started = SystemClock.milliseconds()
      let engine = try Engine(folder: folder, cache: cache)
      var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
      let results = session.run(question.crmq)
      timings.reopen.append(SystemClock.milliseconds() - started)
      guard engine.snapshot.openedFrom != nil, !results.contains(where: \.failed) else {
        throw GeneratorError("the snapshot was not opened, or '\(question.crmq)' failed")
      }
    }
    var info = stat()
    if let path = first.snapshot.written, stat(path, &info) == 0 { timings.size = Int(info.st_size) }
    guard duckdb else { return (timings, nil) }
    let queryFile = folder + "/reopen.sql"
    guard let file = fopen(queryFile, "w") else { throw GeneratorError("cannot write \(queryFile)") }
    fputs(question.sql + "\n", file)
    fclose(file)
    let resultFile = folder + "/duckdb-reopen.txt"
    let command = "python3 bench/duckdb_reopen.py '\(folder)' '\(queryFile)' \(loads) > '\(resultFile)'"
    guard system(command) == 0, let text = readText(resultFile) else {
      throw GeneratorError("the DuckDB reopen failed")
    }
    var reopen: [Double] = []
    var size = 0
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ")
      if parts.first == "reopen" { reopen = parts.dropFirst().compactMap { Double($0) } }
      if parts.first == "size" { size = Int(parts[1]) ?? 0 }
    }
    return (timings, (reopen, size))
  }
}
