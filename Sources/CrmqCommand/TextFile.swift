import Crmq

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Small file-system questions the command asks.
enum TextFile {
  static func read(_ path: String) -> String? { TextFiles.read(path) }

  /// Writes `text` to `path`, replacing it; false when it cannot be written whole.
  static func write(_ text: String, to path: String) -> Bool {
    write(Array(text.utf8), to: path)
  }

  static func write(_ bytes: [UInt8], to path: String) -> Bool {
    guard let file = fopen(path, "wb") else { return false }
    let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    let closed = fclose(file) == 0
    return written == bytes.count && closed
  }

  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  /// The last path component: how messages name a script.
  static func displayName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
  }
}
