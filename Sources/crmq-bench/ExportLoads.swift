import Crmq
import CrmqDemo

#if canImport(Glibc)
  import Glibc
#endif

/// `crmq-bench run --exports`: the generated deals written as the CRMs' own exports
/// (bench/make_exports.py, bench/make_xlsx.py), each loaded `loads` times beside the canonical
/// deals.csv alone, so the cost of decoding and converting an export shows against the plain
/// CSV path.
///
/// Every file must give the same answers as the canonical one.
struct ExportLoads {
  let folder: String
  let loads: Int

  static let checks = ["count, sum(amount) by status", "count(distinct client_id), max(closed_at)"]

  func run() throws {
    let exports = folder + "/exports"
    let files: [(name: String, path: String)] = [
      ("canonical deals.csv", exports + "/canonical"), ("amoCRM CSV (UTF-8)", exports + "/amocrm"),
      ("Bitrix24 CSV (Windows-1251, ';', quoted)", exports + "/bitrix24"), ("amoCRM XLSX", exports + "/xlsx"),
    ]
    if access(exports + "/.complete", F_OK) != 0 {
      print("writing the deals as CRM exports into \(exports) …")
      for command in [
        "mkdir -p '\(exports)/canonical' '\(exports)/xlsx'",
        "ln -sf \"$(cd '\(folder)' && pwd)/deals.csv\" '\(exports)/canonical/deals.csv'",
        "python3 bench/make_exports.py '\(folder)/deals.csv' '\(exports)'",
        "python3 bench/make_xlsx.py '\(exports)/amocrm/amocrm_export.csv' '\(exports)/xlsx/amocrm_export.xlsx'",
        "touch '\(exports)/.complete'",
      ] where system(command) != 0 {
        throw GeneratorError("failed: \(command)")
      }
    }
    print("")
    print("loading the deals file alone, as each CRM writes it (medians of \(loads) loads):")
    let header =
      pad("deals file", 44) + pad("MB", 8, right: true) + pad("ms", 10, right: true)
      + pad("× canonical", 13, right: true)
    print(header)
    print(String(repeating: "-", count: header.count))
    var baseline: Double?
    var expected: [String]?
    for file in files {
      var times: [Double] = []
      var engine: Engine?
      for _ in 0..<loads {
        engine = nil
        let started = SystemClock.milliseconds()
        engine = try Engine(folder: file.path, cache: nil)
        times.append(SystemClock.milliseconds() - started)
      }
      guard let engine else { continue }
      var session = Session(engine: engine)
      let answers = ExportLoads.checks.map { query in
        session.run(query).map { result -> String in
          if case .table(let table) = result.outcome { return OutputFormat.csv.render(table) }
          return "failed"
        }.joined()
      }
      if let expected, answers != expected {
        throw GeneratorError(
          "\(file.name) answers differently from the canonical file:\n\(answers.joined())\nexpected:\n\(expected.joined())"
        )
      }
      expected = expected ?? answers
      let took = median(times)
      baseline = baseline ?? took
      // The file's own size on disk (an export's report counts the converted text).
      let bytes = engine.loadReports.reduce(0) { total, report in
        var info = stat()
        return total + (stat(file.path + "/" + report.file, &info) == 0 ? Int(info.st_size) : report.bytes)
      }
      print(
        pad(file.name, 44) + pad("\(bytes / 1_000_000)", 8, right: true) + pad(format(took), 10, right: true)
          + pad(format(took / (baseline ?? took), digits: 2), 13, right: true))
    }
    print("(the same answers from every file: " + ExportLoads.checks.joined(separator: "; ") + ")")
  }
}
