import CrmqDemo

#if canImport(Glibc)
  import Glibc
#endif

/// One question asked of both engines: crmq's text and the same question in DuckDB's SQL.
///
/// The list lives in bench/queries.txt, shared with bench/crosscheck.py, which checks that both
/// engines give the same answers on examples/data.
struct BenchQuery {
  let crmq: String
  let sql: String

  static func load(_ path: String = "bench/queries.txt") throws -> [BenchQuery] {
    guard let text = readText(path) else {
      throw GeneratorError("cannot read \(path); run crmq-bench from the repository")
    }
    var queries: [BenchQuery] = []
    var crmq: String?
    var sql = ""
    func finish() {
      if let crmq { queries.append(BenchQuery(crmq: crmq, sql: sql)) }
      crmq = nil
      sql = ""
    }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("#") { continue }
      if line.hasPrefix("crmq: ") {
        finish()
        crmq = String(line.dropFirst(6))
      } else if line.hasPrefix("sql: ") {
        sql = String(line.dropFirst(5))
      } else if !line.allSatisfy(\.isWhitespace) && crmq != nil {
        sql += " " + line.drop(while: \.isWhitespace)
      }
    }
    finish()
    return queries
  }
}
