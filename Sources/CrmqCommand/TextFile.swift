import Crmq

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Small file-system questions the command asks.
enum TextFile {
  static func read(_ path: String) -> String? { TextFiles.read(path) }

  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  /// The last path component: how messages name a script.
  static func displayName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
  }
}
