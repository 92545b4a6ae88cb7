// libFuzzer target: any bytes as a deals file, through the whole reading path (encodings, the
// canonical reader, CRM exports, HTML tables, XLSX workbooks). Built by fuzz/run; never part of
// the package's products. A crash, a trap or a sanitizer report is a finding.
import CrmqCore
import CrmqImport

#if canImport(Glibc)
  import Glibc
#endif

let path = "/tmp/crmq-fuzz-\(getpid())-deals"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDealsFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let file = fopen(path, "wb") else { return 0 }
  fwrite(data, 1, size, file)
  fclose(file)
  // Small segments, so the parallel paths and their stitching are fuzzed too.
  _ = try? FolderLoader.load(file: path, as: .deals, segmentSize: 4096)
  return 0
}
