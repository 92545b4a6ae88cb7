import CLibEdit
import Crmq

#if canImport(Glibc)
  import Glibc
#endif

/// Line editing, history and completion through libedit's native wide-character interface
/// (`el_wgets`, `history_w`): the line is edited as characters, so Cyrillic moves and deletes a
/// letter at a time whatever its bytes.
///
/// History holds whole statements and is written to the history file as it goes (so a crash loses
/// nothing), cut to `historyLimit` entries. Ctrl-R searches it (libedit's incremental search); vi
/// keys come from ~/.editrc (`bind -v`). Tab completes through the `Completer`: one candidate is
/// inserted, several insert their common beginning or are listed under the line.
public final class LibEditLineReader: LineReader {
  let historyPath: String?
  let historyLimit: Int
  public private(set) var history: [String] = []
  let editor: OpaquePointer
  let entries: OpaquePointer

  /// libedit calls the prompt and completion through C functions; they reach these.
  nonisolated(unsafe) static var completer: ((String, Int) -> (replacing: Int, candidates: [String]))?
  nonisolated(unsafe) static var prompt: [wchar_t] = [0]

  public init(
    historyPath: String?, historyLimit: Int = 2000,
    completer: ((String, Int) -> (replacing: Int, candidates: [String]))?
  ) {
    self.historyPath = historyPath
    self.historyLimit = historyLimit
    setlocale(LC_ALL, "")
    LibEditLineReader.completer = completer
    entries = crmq_history_init(Int32(historyLimit))
    editor = crmq_el_init("crmq")
    crmq_el_setup(
      editor, entries,
      { _ in LibEditLineReader.prompt.withUnsafeMutableBufferPointer { $0.baseAddress! } },
      { editor, _ in LibEditLineReader.complete(editor) })
    if let historyPath {
      crmq_history_load(entries, historyPath)
      var entry = crmq_history_step(entries, 1)
      while let line = entry {
        history.append(LibEditLineReader.string(line))
        entry = crmq_history_step(entries, 0)
      }
    }
  }

  deinit {
    el_end(editor)
    history_wend(entries)
  }

  public func readLine(prompt: String) -> String? {
    LibEditLineReader.prompt = LibEditLineReader.wide(prompt)
    var count: Int32 = 0
    guard let line = el_wgets(editor, &count), count > 0 else {
      // Interrupted (Ctrl-C) with text on the line: hand the text back, so the shell knows a line
      // was dropped rather than an empty prompt interrupted; at the end of input, nil.
      if let info = el_wline(editor)?.pointee, let buffer = info.buffer, info.lastchar > buffer {
        return LibEditLineReader.string(buffer, count: info.lastchar - buffer)
      }
      return nil
    }
    var text = LibEditLineReader.string(line)
    if text.hasSuffix("\n") { text.removeLast() }
    return text
  }

  public func addHistory(_ entry: String) {
    history.append(entry)
    crmq_history_enter(entries, LibEditLineReader.wide(entry))
    if let historyPath { crmq_history_save(entries, historyPath) }
  }

  /// A wide string for libedit, ending in 0 (wchar_t holds a whole Unicode scalar here).
  static func wide(_ text: String) -> [wchar_t] {
    text.unicodeScalars.map { wchar_t(bitPattern: $0.value) } + [0]
  }

  static func string(_ pointer: UnsafePointer<wchar_t>, count: Int? = nil) -> String {
    var scalars = String.UnicodeScalarView()
    var index = 0
    while count.map({ index < $0 }) ?? (pointer[index] != 0) {
      scalars.append(Unicode.Scalar(UInt32(bitPattern: pointer[index])) ?? "\u{FFFD}")
      index += 1
    }
    return String(scalars)
  }

  /// Candidates laid out as `ls` lays out names: in columns down, then across, as many columns as
  /// fit `width` terminal cells; each line ends with a line break.
  public static func columns(_ candidates: [String], width: Int) -> String {
    let cell = (candidates.map { DisplayWidth.of($0) }.max() ?? 0) + 2
    let columns = max(1, min(candidates.count, (width + 2) / max(1, cell)))
    let rows = (candidates.count + columns - 1) / columns
    var out = ""
    for row in 0..<rows {
      var line = ""
      for column in 0..<columns {
        let index = column * rows + row
        guard index < candidates.count else { break }
        let text = candidates[index]
        let last = column == columns - 1 || (column + 1) * rows + row >= candidates.count
        line += last ? text : text + String(repeating: " ", count: cell - DisplayWidth.of(text))
      }
      out += line + "\n"
    }
    return out
  }

  /// Tab: asks the completer about the line and the cursor, then edits the line in place.
  static func complete(_ editor: OpaquePointer?) -> UInt8 {
    guard let editor, let completer, let info = el_wline(editor)?.pointee, let buffer = info.buffer else {
      return UInt8(CC_ERROR)
    }
    let before = string(buffer, count: info.cursor - buffer)
    let after = string(info.cursor, count: info.lastchar - info.cursor)
    let (replacing, candidates) = completer(before + after, before.count)
    guard !candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
    let typed = String(before.suffix(replacing))
    var common = candidates[0]
    for candidate in candidates.dropFirst() {
      while !candidate.hasPrefix(common) { common.removeLast() }
    }
    let insert = candidates.count == 1 ? candidates[0] : common
    if insert.count > typed.count || candidates.count == 1 {
      el_deletestr(editor, Int32(typed.unicodeScalars.count))
      _ = wide(insert).withUnsafeBufferPointer { el_winsertstr(editor, $0.baseAddress) }
      return UInt8(CC_REFRESH)
    }
    // Several candidates and nothing more in common: list them under the line, in columns.
    var size = winsize()
    let width = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    let list = Array(("\n" + LibEditLineReader.columns(candidates, width: width)).utf8)
    _ = list.withUnsafeBufferPointer { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    return UInt8(CC_REDISPLAY)
  }
}
