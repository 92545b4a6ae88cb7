import CrmqCore
import CrmqStorage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Columnar snapshots of loaded folders, so a folder loaded before opens without parsing it again.
///
/// The first load of a folder (or of one export file) writes what it loaded — the tables as typed
/// buffers, and the load reports — to one file under the cache folder
/// (`$XDG_CACHE_HOME/crmq/snapshots`, by default `~/.cache/crmq/snapshots`). A later load of the
/// same folder with the same options opens that file instead, when every source file is still the
/// one it was made from: the same names, and for each the same device, inode, size, modification
/// and status-change times. The status-change time is the one a program cannot set back, so a file
/// written over and given its old modification time still counts as changed. Files changed in the
/// two seconds before the load are too fresh to tell apart from a change in the same clock tick:
/// their load writes no snapshot.
///
/// A snapshot names the format it was written in and the crmq build that wrote it, and carries a
/// checksum for its directory and one for each column, each checked before anything in it is used.
/// Opening reads the directory alone; a column is checked and read in when a query first asks for
/// it (`Deferred`). One whose directory is damaged, or foreign, is ignored with a warning and
/// written again from the files; a column found damaged later removes the snapshot, and the
/// statement that read it fails (E0523).
public struct SnapshotCache: Sendable {
  /// Bumped whenever what a snapshot holds, or what loading a file computes, changes.
  static let formatVersion: UInt32 = 2
  /// The folder the snapshots are kept in.
  public let directory: String
  /// Source files changed less than this many seconds before a load make no snapshot (a change in
  /// the same clock tick as the load would not show in their times); 0 writes one whatever the
  /// times say (tests that change files on purpose).
  public let settleSeconds: Int64

  /// The most the snapshots may take together: past it, the least recently used are removed.
  public let maximumBytes: Int64
  /// Snapshots unused for this many days are removed.
  public let unusedDays: Int64

  /// Snapshots kept in `directory` (made when missing), at most `maximumBytes` of them (by default
  /// 20 GiB), none unused for more than `unusedDays` (by default 30): an integrator's weekly run
  /// over hundreds of clients' folders must not fill the disk.
  public init(directory: String, settleSeconds: Int64 = 2, maximumBytes: Int64 = 20 << 30, unusedDays: Int64 = 30) {
    self.directory = directory
    self.settleSeconds = settleSeconds
    self.maximumBytes = maximumBytes
    self.unusedDays = unusedDays
  }

  /// The user's cache folder: `$XDG_CACHE_HOME/crmq/snapshots`, else `~/.cache/crmq/snapshots`;
  /// nil when neither is set.
  public static var standard: SnapshotCache? {
    if let xdg = getenv("XDG_CACHE_HOME").map({ String(cString: $0) }), xdg.hasPrefix("/") {
      return SnapshotCache(directory: xdg + "/crmq/snapshots")
    }
    if let home = getenv("HOME").map({ String(cString: $0) }), home.hasPrefix("/") {
      return SnapshotCache(directory: home + "/.cache/crmq/snapshots")
    }
    return nil
  }

  /// The tables of `folder`, from its snapshot when one fits, else from `load`.
  ///
  /// `options` holds every setting that changes what a load gives (the deals format, the sheet,
  /// the time zone). What `load` gives is then written as the snapshot, in the background.
  /// `progress` is asked whether to stop before the snapshot is opened and after, and told the
  /// files' bytes and rows at once when the tables come from it. `derive`, when given, computes
  /// the tables with what is derived from them (the derived columns, the history index) after a
  /// load; that is what the snapshot keeps, so an opened one gives it back as `derived` without
  /// computing it again.
  public func outcome(
    folder: String, options: String, progress: LoadProgress? = nil, derive: ((Catalog) -> Catalog)? = nil,
    load: () throws -> FolderLoader.Outcome
  ) throws -> (FolderLoader.Outcome, SnapshotUse) {
    guard let sources = SnapshotSources(path: folder) else { return (try load(), SnapshotUse()) }
    let key = SnapshotCache.identity + "\n" + sources.folder + "\n" + options
    let path = directory + "/" + SnapshotCache.fileName(for: key)
    var use = SnapshotUse()
    if progress?.isCancelled() ?? false { throw FolderLoader.loadCancelled() }
    switch read(path, key: key, sources: sources) {
    case .opened(let outcome):
      if progress?.isCancelled() ?? false { throw FolderLoader.loadCancelled() }
      // Its modification time says when it was last used, for `prune`.
      utimes(path, nil)
      let bytes = outcome.reports.reduce(0) { $0 + $1.bytes }
      progress?.setTotal(bytes)
      progress?.add(bytes: bytes, rows: outcome.reports.reduce(0) { $0 + $1.rows })
      use.openedFrom = path
      return (outcome, use)
    case .missing: break
    case .ignored(let reason): use.warning = "ignored the snapshot \(path): \(reason); the files were read again"
    }
    var outcome = try load()
    outcome.derived = derive?(outcome.catalog)
    if settleSeconds > 0, let fresh = sources.changedSince(Int64(time(nil)) - settleSeconds) {
      use.notWritten = "\(fresh) changed in the last \(settleSeconds) seconds"
    } else if SnapshotSources(path: folder) != sources {
      use.notWritten = "the files changed while they were read"
    } else {
      // Written on another core while the answers start: `SnapshotWrites.finish()` waits for it.
      use.written = path
      if let warning = use.warning { use.warning = warning + "; a new one is being written" }
      let written = outcome
      SnapshotWrites.shared.start { self.store(written, at: path, key: key, sources: sources) }
    }
    return (outcome, use)
  }

  enum Opening {
    case opened(FolderLoader.Outcome)
    /// No snapshot, or one of other files or another build: nothing to say.
    case missing
    /// A damaged or foreign file: worth a warning.
    case ignored(String)
  }

  func read(_ path: String, key: String, sources: SnapshotSources) -> Opening {
    guard let mapped = MappedFile(path: path) else { return .missing }
    do {
      var directory = try SnapshotReader(
        file: UnsafeRawBufferPointer(mapped.bytes), formatVersion: SnapshotCache.formatVersion)
      // Whose data it is comes first: a snapshot of other files is passed over unread.
      guard try directory.string() == key else { return .missing }
      guard try SnapshotSources.read(from: &directory) == sources else { return .missing }
      var reports: [LoadReport] = []
      for _ in 0..<(try directory.int()) { reports.append(try ReportSnapshot.read(from: &directory)) }
      // Only the directory is read now; a column is checked and copied when first read. One found
      // damaged then removes the snapshot, so the next load reads the files again.
      let damaged: @Sendable (String) -> Void = { _ in unlink(path) }
      let file = directory
      let section = { (place: SnapshotReader.Place, what: String) in file.reader(of: place, what: what) }
      let hasDerived = try directory.bool()
      var base = Catalog()
      var derived = Catalog()
      for _ in 0..<(try directory.int()) {
        let (table, baseColumns) = try TableSnapshot.readEntry(
          from: &directory, section: section, keep: mapped, path: path, damaged: damaged)
        base.put(table.prefix(baseColumns))
        derived.put(table)
      }
      if try directory.bool() {
        let what = "the stage history index"
        let deals = derived.table(named: "deals")?.rowCount ?? 0
        let historyRows = derived.table(named: "stage_history")?.rowCount ?? 0
        derived.deferHistory(
          section(try directory.section(), what).deferred(
            in: mapped, path: path, what: what, substitute: { nil }, damaged: damaged
          ) { reader in try TableSnapshot.readHistory(&reader, deals: deals, historyRows: historyRows) })
      }
      guard directory.isAtEnd else { throw SnapshotDamage("its directory has bytes past its end") }
      guard !mapped.changedWhileRead else { throw SnapshotDamage("it changed while it was read") }
      return .opened(FolderLoader.Outcome(catalog: base, reports: reports, derived: hasDerived ? derived : nil))
    } catch let damage as SnapshotDamage {
      return .ignored(damage.reason)
    } catch {
      return .ignored("\(error)")
    }
  }

  /// Writes the snapshot beside its place, then renames it into place, so no reader sees half of
  /// one; the reason when it could not be written.
  func store(_ outcome: FolderLoader.Outcome, at path: String, key: String, sources: SnapshotSources) -> String? {
    guard SnapshotCache.makeFolders(directory) else { return "cannot make the folder \(directory)" }
    removeAbandoned()
    let partial = path + ".\(getpid()).partial"
    let descriptor = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { return "cannot write \(partial): " + String(cString: strerror(errno)) }
    var writer = SnapshotWriter(descriptor: descriptor)
    // The tables with their derived columns, when there are any, and how many of each table's
    // columns were loaded.
    let stored = outcome.derived ?? outcome.catalog
    let tables = stored.tables.map { table in
      (
        table, outcome.catalog.table(named: table.name)?.columnCount ?? table.columnCount,
        TableSnapshot.writeColumns(table, to: &writer)
      )
    }
    let history = stored.history.map { index in writer.section { TableSnapshot.write(index, to: &$0) } }
    let failure = writer.finish(formatVersion: SnapshotCache.formatVersion) { directory in
      directory.string(key)
      sources.write(to: &directory)
      directory.int(outcome.reports.count)
      for report in outcome.reports { ReportSnapshot.write(report, to: &directory) }
      directory.bool(outcome.derived != nil)
      directory.int(tables.count)
      for (table, baseColumns, sections) in tables {
        TableSnapshot.writeEntry(table, baseColumns: baseColumns, sections: sections, to: &directory)
      }
      directory.bool(history != nil)
      if let history { directory.place(of: history) }
    }
    close(descriptor)
    if let failure {
      unlink(partial)
      return "cannot write \(path): " + String(cString: strerror(failure))
    }
    guard rename(partial, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(partial)
      return "cannot write \(path): \(reason)"
    }
    prune(keeping: path)
    return nil
  }

  /// Removes what writes cut short by their process's end left (`NAME.PID.partial`, whose
  /// process is gone).
  func removeAbandoned() {
    for name in FolderLoader.files(in: directory, endingWith: [".partial"]) {
      let parts = name.split(separator: ".")
      guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]), pid != getpid(), kill(pid, 0) != 0,
        errno == ESRCH
      else { continue }
      unlink(directory + "/" + name)
    }
  }

  /// Removes the snapshots unused for `unusedDays`, then, while they take more than
  /// `maximumBytes`, the least recently used (never `kept`, the one just written).
  func prune(keeping kept: String) {
    let now = Int64(time(nil))
    var snapshots: [(path: String, used: Int64, size: Int64)] = []
    for name in FolderLoader.files(in: directory, endingWith: [".snapshot"]) {
      let path = directory + "/" + name
      var info = stat()
      guard stat(path, &info) == 0, path != kept else { continue }
      let used = Int64(info.st_mtim.tv_sec)
      if now - used > unusedDays * 86_400 {
        unlink(path)
      } else {
        snapshots.append((path, used, Int64(info.st_size)))
      }
    }
    var info = stat()
    var total = snapshots.reduce(stat(kept, &info) == 0 ? Int64(info.st_size) : 0) { $0 + $1.size }
    for snapshot in snapshots.sorted(by: { $0.used < $1.used }) where total > maximumBytes {
      unlink(snapshot.path)
      total -= snapshot.size
    }
  }

  /// The build that reads and writes, named by the running program's size and modification time.
  ///
  /// A snapshot of another build is not read: its loader may compute other things.
  static let identity: String = {
    var info = stat()
    let program =
      stat("/proc/self/exe", &info) == 0 ? "\(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)" : "unknown"
    return "crmq snapshot \(formatVersion), program \(program)"
  }()

  /// A file name from the key: 16 hexadecimal digits of its hash.
  static func fileName(for key: String) -> String {
    var checksum = SnapshotChecksum()
    var copy = key
    copy.withUTF8 { checksum.update(UnsafeRawBufferPointer($0)) }
    let hex = String(checksum.value, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex + ".snapshot"
  }

  static func makeFolders(_ path: String) -> Bool {
    var made = ""
    for part in path.split(separator: "/") {
      made += "/" + part
      if mkdir(made, 0o700) != 0 && errno != EEXIST { return false }
    }
    return true
  }
}

/// What a load did with snapshots, for the load report and `--timer`.
public struct SnapshotUse: Sendable {
  /// The snapshot the tables came from, when they did.
  public var openedFrom: String?
  /// The snapshot being written after reading the files (`SnapshotWrites.finish()` waits for it).
  public var written: String?
  /// Why none was written after reading the files (files changed too recently).
  public var notWritten: String?
  /// What the user should hear: a snapshot found damaged or foreign and passed over, or one that
  /// could not be written (a full disk, a folder without write permission).
  public var warning: String?

  /// Said after the load time: `from snapshot`, `snapshot written`.
  public var summary: String {
    if openedFrom != nil { return "from snapshot" }
    if written != nil { return "read from the files; the snapshot is being written" }
    if let notWritten { return "read from the files, no snapshot: \(notWritten)" }
    return "read from the files"
  }

  public init() {}
}
