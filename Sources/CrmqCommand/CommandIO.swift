import CrmqREPL

/// Where the command reads and writes: the real streams, or buffers in tests.
public protocol CommandIO: ShellOutput {
  func write(_ text: String)
  func writeError(_ text: String)
  /// The next line of standard input without its newline, or nil at the end.
  func readLine() -> String?
  var isInteractive: Bool { get }
  /// Standard output is a terminal: tables get bars.
  var outputIsTerminal: Bool { get }
  var colorErrors: Bool { get }
  var environment: [String: String] { get }
  /// Why standard output could not be written, once a write failed; nil while all went out.
  var outputFailure: String? { get }
  /// The next line, unless it is longer than `limit` bytes: then its length, the line skipped
  /// without holding it in memory. Nil at the end.
  func readLine(limit: Int) -> LineRead?
}

/// A line read with a limit.
public enum LineRead: Equatable {
  case line(String)
  /// A line over the limit, skipped: its length in bytes.
  case tooLong(Int)
}

extension CommandIO {
  /// Reads the whole line, then measures it: for inputs already in memory.
  public func readLine(limit: Int) -> LineRead? {
    guard let line = readLine() else { return nil }
    return line.utf8.count > limit ? .tooLong(line.utf8.count) : .line(line)
  }
}

/// Buffers for tests: input lines in, everything written kept.
public final class BufferedIO: CommandIO {
  public var input: [String]
  public private(set) var output = ""
  public private(set) var errors = ""
  public var isInteractive = false
  public var outputIsTerminal = false
  public var terminalWidth: Int?
  public var colorErrors = false
  public var environment: [String: String] = [:]
  public var outputFailure: String?

  public init(input: [String] = []) {
    self.input = input
  }

  public func write(_ text: String) { output += text }
  public func writeError(_ text: String) { errors += text }
  public func readLine() -> String? { input.isEmpty ? nil : input.removeFirst() }
}
