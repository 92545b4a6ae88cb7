import CrmqCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The files a load reads, as the file system describes them: a snapshot is used only while
/// every one of them is as it was when the snapshot was made.
///
/// A folder stands for every file in it a load may read (`FolderLoader.readableEndings`: a file
/// of those added, removed or renamed changes the set), one file for itself. Links are followed:
/// a link to a file changed elsewhere counts.
struct SnapshotSources: Equatable {
  struct File: Equatable {
    var name: String
    var device: Int64
    var inode: Int64
    var size: Int64
    var modified: Int64
    var modifiedNanoseconds: Int64
    var changed: Int64
    var changedNanoseconds: Int64
  }

  /// The folder (or file) as an absolute path with links resolved: the same data reached by two
  /// paths shares one snapshot.
  var folder: String
  var files: [File]

  init?(path: String) {
    guard let resolved = realpath(path, nil) else { return nil }
    let folder = String(cString: resolved)
    free(resolved)
    self.folder = folder
    var info = stat()
    guard stat(folder, &info) == 0 else { return nil }
    if (info.st_mode & S_IFMT) == S_IFREG {
      files = [SnapshotSources.file(String(folder.split(separator: "/").last ?? ""), info)]
    } else {
      guard (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
      // The loader's own list of the files it may read, already in name order.
      files = FolderLoader.files(in: folder, endingWith: FolderLoader.readableEndings).compactMap { name in
        guard stat(folder + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return SnapshotSources.file(name, info)
      }
    }
  }

  /// The name of a file modified or changed at `time` (Unix seconds) or later, if any.
  func changedSince(_ time: Int64) -> String? {
    files.first { max($0.modified, $0.changed) >= time }?.name
  }

  init(folder: String, files: [File]) {
    self.folder = folder
    self.files = files
  }

  static func file(_ name: String, _ info: stat) -> File {
    File(
      name: name, device: Int64(info.st_dev), inode: Int64(info.st_ino), size: Int64(info.st_size),
      modified: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: Int64(info.st_mtim.tv_nsec),
      changed: Int64(info.st_ctim.tv_sec), changedNanoseconds: Int64(info.st_ctim.tv_nsec))
  }

  func write(to writer: inout SnapshotWriter) {
    writer.string(folder)
    writer.int(files.count)
    for file in files {
      writer.string(file.name)
      for number in [
        file.device, file.inode, file.size, file.modified, file.modifiedNanoseconds, file.changed,
        file.changedNanoseconds,
      ] {
        writer.i64(number)
      }
    }
  }

  static func read(from reader: inout SnapshotReader) throws -> SnapshotSources {
    let folder = try reader.string()
    var files: [File] = []
    for _ in 0..<(try reader.int()) {
      files.append(
        File(
          name: try reader.string(), device: try reader.i64(), inode: try reader.i64(), size: try reader.i64(),
          modified: try reader.i64(), modifiedNanoseconds: try reader.i64(), changed: try reader.i64(),
          changedNanoseconds: try reader.i64()))
    }
    return SnapshotSources(folder: folder, files: files)
  }
}
