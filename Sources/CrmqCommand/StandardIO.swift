#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process's own standard streams.
public final class StandardIO: CommandIO {
  public init() {}

  public func write(_ text: String) {
    StandardIO.writeAll(1, text)
  }

  public func writeError(_ text: String) {
    StandardIO.writeAll(2, text)
  }

  /// Writes every byte, retrying short writes.
  static func writeAll(_ descriptor: Int32, _ text: String) {
    var copy = text
    copy.withUTF8 { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written <= 0 { return }
        offset += written
      }
    }
  }

  public func readLine() -> String? {
    Swift.readLine(strippingNewline: true)
  }

  public var isInteractive: Bool { isatty(0) != 0 }

  public var outputIsTerminal: Bool { isatty(1) != 0 }

  public var terminalWidth: Int? {
    var size = winsize()
    guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }

  /// Colour on a terminal, never with NO_COLOR set (no-color.org).
  public var colorErrors: Bool { isatty(2) != 0 && environment["NO_COLOR"].map(\.isEmpty) ?? true }

  public var environment: [String: String] {
    var out: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        out[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      pointer += 1
    }
    return out
  }
}
