import CrmqCore
import CrmqStorage
import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Loads a folder of canonical CSV files (deals.csv and the optional others) into a catalog.
///
/// Files are read in parallel, one per core; each file's table is built by one thread.
public enum FolderLoader {
  public struct Outcome: Sendable {
    public var catalog: Catalog
    public var reports: [LoadReport]
  }

  public static func load(folder: String) throws -> Outcome {
    var isDirectory = stat()
    guard stat(folder, &isDirectory) == 0 else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "no such folder '\(folder)'",
          help: ["--data takes a folder of CSV files with at least deals.csv"]))
    }
    guard (isDirectory.st_mode & S_IFMT) == S_IFDIR else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "'\(folder)' is not a folder",
          help: ["--data takes a folder of CSV files with at least deals.csv"]))
    }
    let present = CanonicalSchema.all.filter { access(join(folder, $0.fileName), R_OK) == 0 }
    guard present.contains(where: { $0.table == "deals" }) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "no deals.csv in '\(folder)'",
          help: ["a data folder holds deals.csv and optionally stages.csv, stage_history.csv, calls.csv, spend.csv, plans.csv"]))
    }
    let results = ResultSlots(count: present.count)
    DispatchQueue.concurrentPerform(iterations: present.count) { index in
      let schema = present[index]
      do {
        let loaded = try CSVTableReader.read(path: join(folder, schema.fileName), displayName: schema.fileName, schema: schema)
        results.set(index, .success(loaded))
      } catch let error as CrmqError {
        results.set(index, .failure(error))
      } catch {
        results.set(index, .failure(CrmqError(.bug("\(error)"))))
      }
    }
    var catalog = Catalog()
    var reports: [LoadReport] = []
    var failures: [Diagnostic] = []
    for result in results.values {
      switch result {
      case .success(let (table, report)):
        catalog.put(table)
        reports.append(report)
      case .failure(let error):
        failures.append(contentsOf: error.diagnostics)
      case nil:
        failures.append(.bug("a file was not loaded"))
      }
    }
    if !failures.isEmpty { throw CrmqError(failures) }
    return Outcome(catalog: catalog, reports: reports)
  }

  static func join(_ folder: String, _ file: String) -> String {
    folder.hasSuffix("/") ? folder + file : folder + "/" + file
  }
}

/// Results written by parallel loaders, each into its own slot.
private final class ResultSlots: @unchecked Sendable {
  private let lock = NSLockLike()
  private(set) var values: [Result<(Table, LoadReport), CrmqError>?]

  init(count: Int) {
    values = Array(repeating: nil, count: count)
  }

  func set(_ index: Int, _ value: Result<(Table, LoadReport), CrmqError>) {
    lock.withLock { values[index] = value }
  }
}

/// A pthread mutex, so this target needs no Foundation.
private final class NSLockLike: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  init() { pthread_mutex_init(&mutex, nil) }
  deinit { pthread_mutex_destroy(&mutex) }
  func withLock<R>(_ body: () -> R) -> R {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return body()
  }
}
