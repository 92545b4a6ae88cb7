// libFuzzer target: any bytes as statements, through the whole front end and both compilers:
// lex, parse, bind, plan, optimize, run on the bundled data, and compile to PostgreSQL and
// ClickHouse SQL. Built by fuzz/run; never part of the package's products. Loads are refused
// (no file is read) and the engine is loaded once. A crash, a trap or a sanitizer report is a
// finding; a wrong query must come back as diagnostics.
import Crmq

nonisolated(unsafe) var engine: Engine?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  if engine == nil { engine = try? Engine(folder: "examples/data") }
  guard let engine else { return 0 }
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
  session.loadPolicy = .none
  _ = session.run(text, parameters: ["who": .string("Анна Смирнова"), "min": .int(50_000)])
  _ = session.compile(text, to: .postgres)
  _ = session.compile(text, to: .clickhouse)
  return 0
}
