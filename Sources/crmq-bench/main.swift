import CrmqCore

#if canImport(Glibc)
  import Glibc
#endif

// crmq-bench: `generate` writes a data set; `run` times crmq against DuckDB on the same files.
let arguments = Array(CommandLine.arguments.dropFirst())
// As the command does, before any worker thread.
ProcessMemory.shareOneHeap()
do {
  try BenchCommand(arguments: arguments).run()
} catch {
  print("crmq-bench: \(error)")
  exit(2)
}
