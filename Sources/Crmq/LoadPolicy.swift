#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Which files a session may read: with `load`, and for Tab's paths and headers.
///
/// The command line and the shell read anything (the user owns the machine); `crmq serve` and an
/// embedder that takes statements from others read only under the folders they name
/// (`.within(["/srv/exports"])`), or nothing (`.none`). Paths are resolved before they are checked,
/// so a symbolic link or `..` that leads out of a folder leads out of the policy too.
public struct LoadPolicy: Sendable, Equatable {
  /// The folders files may be read under, resolved; nil for any file.
  public let roots: [String]?

  /// Any file the process can read.
  public static let unrestricted = LoadPolicy(roots: nil)
  /// No file: `load` is refused, Tab offers no paths.
  public static let none = LoadPolicy(roots: [])

  /// Files under these folders only; a folder that does not exist permits nothing.
  public static func within(_ folders: [String]) -> LoadPolicy {
    LoadPolicy(roots: folders.compactMap(LoadPolicy.resolved))
  }

  init(roots: [String]?) { self.roots = roots }

  /// Whether `path` (a file or a folder, existing or not) lies under one of the roots.
  public func permits(_ path: String) -> Bool {
    guard let roots else { return true }
    guard !roots.isEmpty, let target = LoadPolicy.resolvedAllowingNew(path) else { return false }
    return roots.contains { root in target == root || target.hasPrefix(root == "/" ? "/" : root + "/") }
  }

  /// How messages say where loading is allowed.
  public var description: String {
    guard let roots else { return "any file" }
    if roots.isEmpty { return "no file: loading is turned off" }
    return "files under " + roots.map { "'\($0)'" }.joined(separator: ", ")
  }

  /// The path with links, `.` and `..` resolved; nil when it does not exist.
  static func resolved(_ path: String) -> String? {
    guard let pointer = realpath(path.isEmpty ? "." : path, nil) else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  /// A path that may not exist yet: its folder resolved, its last part kept (never `..`).
  static func resolvedAllowingNew(_ path: String) -> String? {
    if let whole = resolved(path) { return whole }
    let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
    guard let slash = trimmed.lastIndex(of: "/") else {
      return trimmed == ".." || trimmed == "." ? nil : resolved(".").map { $0 + "/" + trimmed }
    }
    let last = String(trimmed[trimmed.index(after: slash)...])
    guard last != "..", last != ".",
      let folder = resolved(String(trimmed[..<slash]).isEmpty ? "/" : String(trimmed[..<slash]))
    else {
      return nil
    }
    return folder + "/" + last
  }

  /// Whether `path` is a regular file: what Tab may open for a header (a FIFO or a device would
  /// block the reader).
  static func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
  }
}
