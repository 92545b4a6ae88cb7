/// Where the shell reads lines: libedit on a terminal, plain lines otherwise, a script in tests.
public protocol LineReader: AnyObject {
  /// The next line without its newline, or nil at the end of input (Ctrl-D).
  func readLine(prompt: String) -> String?
  /// Remembers a whole statement for history.
  func addHistory(_ entry: String)
  /// The statements remembered, oldest first.
  var history: [String] { get }
}

/// Lines given in advance: what tests drive the shell with.
public final class ScriptedLineReader: LineReader {
  public private(set) var lines: [String]
  public private(set) var history: [String] = []
  /// Every prompt shown, in order.
  public private(set) var prompts: [String] = []

  public init(_ lines: [String]) {
    self.lines = lines
  }

  public func readLine(prompt: String) -> String? {
    prompts.append(prompt)
    return lines.isEmpty ? nil : lines.removeFirst()
  }

  public func addHistory(_ entry: String) {
    history.append(entry)
  }
}

/// Lines from standard input with no editing (when it is not a terminal).
public final class PlainLineReader: LineReader {
  public private(set) var history: [String] = []

  public init() {}

  public func readLine(prompt: String) -> String? {
    Swift.readLine(strippingNewline: true)
  }

  public func addHistory(_ entry: String) {
    history.append(entry)
  }
}
