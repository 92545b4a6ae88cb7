// libFuzzer target: any bytes as the lines an untrusted client of `crmq serve --stdio` sends,
// each answered by the server's own request handling (JSON parsing, ids of any type, every
// method: run, complete, describe, tables, load under the served folder's roots, cancel). Built
// by fuzz/run; never part of the package's products. A crash, a trap, a hang or a sanitizer report
// is a finding; every line must get one response line that is itself JSON.
import Crmq
import CrmqCommand
import Foundation

nonisolated(unsafe) var server: ProtocolServer?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtocol(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  if server == nil, let engine = try? Engine(folder: "examples/data", cache: nil) {
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    // As `crmq serve --data examples/data` has it: loads only under the data folder.
    session.loadPolicy = .within(["examples/data"])
    server = ProtocolServer(io: BufferedIO(), session: session)
  }
  guard let server else { return 0 }
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
    let response = server.respond(to: String(line))
    guard !response.contains("\n"),
      (try? JSONSerialization.jsonObject(with: Data(response.utf8))) is [String: Any]
    else { fatalError("a response that is not one JSON object on one line: \(response)") }
  }
  return 0
}
