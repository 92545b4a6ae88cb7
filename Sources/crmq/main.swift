import CrmqCommand
import CrmqCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// The bundled examples/data is found from the working folder or next to the build folder.
let executable = CommandLine.arguments.first ?? "crmq"
var folders = ["examples/data"]
if let slash = executable.lastIndex(of: "/") {
  let binFolder = String(executable[..<slash])
  folders.append(binFolder + "/../../examples/data")
  folders.append(binFolder + "/../../../examples/data")
}
// Before any worker thread: one heap for all of them (ProcessMemory.shareOneHeap).
ProcessMemory.shareOneHeap()
let status = CommandRunner(io: StandardIO(), defaultFolders: folders).run(
  arguments: Array(CommandLine.arguments.dropFirst()))
exit(status)
