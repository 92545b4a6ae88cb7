#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The entries of a folder, as `readdir` gives them.
///
/// A name is read up to its terminating zero and no further: glibc sizes each entry to its name,
/// so copying the whole `d_name` array (256 bytes) reads past the last entries of its buffer —
/// the protocol's fuzz target found that read in Tab's path completion.
public enum DirectoryListing {
  /// Each entry's name (`.` and `..` left out) and whether it is a folder; empty when the folder
  /// cannot be opened.
  public static func entries(of folder: String) -> [(name: String, isFolder: Bool)] {
    guard let directory = opendir(folder) else { return [] }
    defer { closedir(directory) }
    var out: [(name: String, isFolder: Bool)] = []
    let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 0
    while let entry = readdir(directory) {
      // The name where it lies in the entry, never copied whole.
      let name = String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
      guard name != ".", name != ".." else { continue }
      out.append((name, entry.pointee.d_type == UInt8(DT_DIR)))
    }
    return out
  }
}
