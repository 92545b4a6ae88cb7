import CLibEdit

#if canImport(Glibc)
  import Glibc
#endif

/// Line editing, history and completion through libedit.
///
/// History holds whole statements and is written to the history file as it goes (so a crash loses
/// nothing), cut to `historyLimit` entries. Ctrl-R searches it (libedit's incremental search); vi
/// keys come from ~/.editrc (`bind -v`). Tab completes through the `Completer`.
public final class LibEditLineReader: LineReader {
  let historyPath: String?
  let historyLimit: Int
  public private(set) var history: [String] = []

  /// libedit calls completion through a C function; it reaches the shell's completer here.
  nonisolated(unsafe) static var completer: ((String, Int) -> (replacing: Int, candidates: [String]))?

  public init(
    historyPath: String?, historyLimit: Int = 2000,
    completer: ((String, Int) -> (replacing: Int, candidates: [String]))?
  ) {
    self.historyPath = historyPath
    self.historyLimit = historyLimit
    setlocale(LC_ALL, "")
    LibEditLineReader.completer = completer
    crmq_set_name(strdup("crmq"))
    crmq_set_completion { text, start, end in
      LibEditLineReader.complete(text, start, end)
    }
    if let historyPath {
      read_history(historyPath)
      var index: Int32 = 1
      while let entry = history_get(crmq_history_base() + index - 1) {
        if let line = entry.pointee.line { history.append(String(cString: line)) }
        index += 1
      }
    }
  }

  public func readLine(prompt: String) -> String? {
    guard let raw = CLibEdit.readline(prompt) else { return nil }
    defer { free(raw) }
    return String(cString: raw)
  }

  public func addHistory(_ entry: String) {
    history.append(entry)
    add_history(entry)
    if let historyPath {
      stifle_history(Int32(historyLimit))
      write_history(historyPath)
    }
  }

  /// Builds libedit's list of matches: the common prefix first, then every candidate.
  static func complete(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    crmq_completion_over()
    guard let completer, let buffer = crmq_line_buffer() else { return nil }
    let line = String(cString: buffer)
    let utf8 = Array(line.utf8)
    let cursor = String(decoding: utf8.prefix(Int(end)), as: UTF8.self).count
    let word = String(decoding: utf8[Int(start)..<Int(end)], as: UTF8.self).count
    let (replacing, found) = completer(line, cursor)
    // libedit replaces only its own word; drop what the candidates repeat before it (a quote).
    let extra = max(0, replacing - word)
    let candidates = found.map { String($0.dropFirst(extra)) }
    guard !candidates.isEmpty else { return nil }
    var common = candidates[0]
    for candidate in candidates.dropFirst() {
      while !candidate.hasPrefix(common) { common.removeLast() }
    }
    let matches = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: candidates.count + 2)
    matches[0] = strdup(candidates.count == 1 ? candidates[0] : common)
    for (index, candidate) in candidates.enumerated() { matches[index + 1] = strdup(candidate) }
    matches[candidates.count + 1] = nil
    if candidates.count == 1 {
      matches[1] = nil
    }
    return matches
  }
}
