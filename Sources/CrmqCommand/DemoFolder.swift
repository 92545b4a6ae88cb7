import CrmqDemo

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The demo data set an installed crmq runs on when it is given no `--data` and no examples/data
/// is near: the same 3 000 deals as examples/data, generated once into the user's cache folder
/// (`$XDG_CACHE_HOME/crmq`, else `~/.cache/crmq`, else the temporary folder) and reused.
enum DemoFolder {
  /// The folder, made when missing; nil with the reason when it cannot be written.
  static func prepare(environment: [String: String]) -> Result<String, GeneratorError> {
    let cache: String
    if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
      cache = xdg + "/crmq"
    } else if let home = environment["HOME"], home.hasPrefix("/") {
      cache = home + "/.cache/crmq"
    } else {
      cache = (environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp") + "/crmq-\(getuid())"
    }
    let folder = cache + "/demo-\(CrmqVersion.current)"
    if TextFile.isDirectory(folder) { return .success(folder) }
    guard makeFolders(cache) else { return .failure(GeneratorError("cannot make the folder '\(cache)'")) }
    // Written beside, then renamed into place: a crmq started meanwhile never sees half a folder.
    let partial = cache + "/demo-\(CrmqVersion.current).\(getpid()).partial"
    guard mkdir(partial, 0o755) == 0 || errno == EEXIST else {
      return .failure(GeneratorError("cannot make the folder '\(partial)'"))
    }
    do {
      _ = try DataGenerator.demo.write(to: partial)
    } catch let error as GeneratorError {
      return .failure(error)
    } catch {
      return .failure(GeneratorError("\(error)"))
    }
    if rename(partial, folder) != 0 {
      // Another crmq put it there first: theirs is the same data.
      for name in ["deals.csv", "stages.csv", "stage_history.csv", "calls.csv", "spend.csv", "plans.csv"] {
        unlink(partial + "/" + name)
      }
      rmdir(partial)
      guard TextFile.isDirectory(folder) else { return .failure(GeneratorError("cannot write '\(folder)'")) }
    }
    return .success(folder)
  }

  /// `mkdir -p`.
  static func makeFolders(_ path: String) -> Bool {
    var built = ""
    for part in path.split(separator: "/") {
      built += "/" + part
      if mkdir(built, 0o755) != 0 && errno != EEXIST { return false }
    }
    return TextFile.isDirectory(path)
  }
}
