// libFuzzer target: any bytes as a stage history saved from a CRM's API (amoCRM's events, Bitrix24's
// stage history), read as `load 'events.json' as stage_history` reads it: beside the pipelines'
// and statuses' dictionaries, after a deals table. Built by fuzz/run; never part of the package's
// products. A crash, a trap or a sanitizer report is a finding; a bad file must be a diagnostic.
import CrmqCore
import CrmqImport
import CrmqStorage

#if canImport(Glibc)
  import Glibc
#endif

let folder = "/tmp/crmq-fuzz-\(getpid())-history"
nonisolated(unsafe) var deals: [Table] = []

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHistory(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  if deals.isEmpty {
    mkdir(folder, 0o700)
    // The dictionaries each CRM saves beside its history, and the deals they belong to.
    for (fixture, dictionary) in [("history_amocrm", "pipelines.json"), ("history_bitrix", "statuses.json")] {
      let source = "Tests/CrmqGoldenTests/fixtures/\(fixture)/"
      if let from = fopen(source + dictionary, "rb"), let to = fopen(folder + "/" + dictionary, "wb") {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
          let read = fread(&buffer, 1, buffer.count, from)
          if read == 0 { break }
          fwrite(buffer, 1, read, to)
        }
        fclose(from)
        fclose(to)
      }
      if let table = (try? FolderLoader.load(file: source + "deals.csv", as: .deals))?.catalog.table(named: "deals") {
        deals.append(table)
      }
    }
  }
  let path = folder + "/events.json"
  guard let file = fopen(path, "wb") else { return 0 }
  fwrite(data, 1, size, file)
  fclose(file)
  // Moscow's offset, as `--time-zone Europe/Moscow` gives it: times near the ends of Int64 too.
  _ = try? FolderLoader.loadJSONHistory(
    file: path, deals: deals.isEmpty ? nil : deals[size % deals.count], utcOffset: { _ in 10_800 })
  return 0
}
