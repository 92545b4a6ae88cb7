#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process's own standard streams.
public final class StandardIO: CommandIO {
  public init() {}

  /// Why standard output could not be written (a full disk, a closed pipe), once it could not.
  public private(set) var outputFailure: String?

  public func write(_ text: String) {
    guard outputFailure == nil else { return }
    if let failure = StandardIO.writeAll(1, text) { outputFailure = failure }
  }

  public func writeError(_ text: String) {
    _ = StandardIO.writeAll(2, text)
  }

  /// Writes every byte: retries short writes and interrupted ones, and waits on a non-blocking
  /// stream that is full (EAGAIN) until it takes more. Nil when all was written, else the reason.
  static func writeAll(_ descriptor: Int32, _ text: String) -> String? {
    var copy = text
    return copy.withUTF8 { buffer -> String? in
      guard let base = buffer.baseAddress else { return nil }
      var offset = 0
      while offset < buffer.count {
        let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
        if written > 0 {
          offset += written
          continue
        }
        let code = errno
        if written < 0 && code == EINTR { continue }
        if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
          var wait = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
          _ = poll(&wait, 1, 1000)
          continue
        }
        return written == 0 ? "nothing was written" : String(cString: strerror(code))
      }
      return nil
    }
  }

  public func readLine() -> String? {
    Swift.readLine(strippingNewline: true)
  }

  /// Bytes read from standard input past the last line `readLine(limit:)` returned.
  private var pending: [UInt8] = []
  private var pendingEnd = false

  /// Reads standard input itself, a block at a time, so a line over `limit` is skipped as it
  /// streams by and never held whole. Not to be mixed with `readLine()` on the same input.
  public func readLine(limit: Int) -> LineRead? {
    var skipped = 0
    var scanned = 0
    while true {
      if let newline = pending[scanned...].firstIndex(of: 10) {
        defer { pending.removeSubrange(...newline) }
        if skipped > 0 { return .tooLong(skipped + newline) }
        var end = newline
        if end > 0 && pending[end - 1] == 13 { end -= 1 }
        return .line(String(decoding: pending[..<end], as: UTF8.self))
      }
      if pending.count > limit {
        skipped += pending.count
        pending.removeAll(keepingCapacity: true)
      }
      scanned = pending.count
      if pendingEnd {
        if skipped > 0 { return .tooLong(skipped + pending.count) }
        if pending.isEmpty { return nil }
        defer { pending.removeAll() }
        return .line(String(decoding: pending, as: UTF8.self))
      }
      var block = [UInt8](repeating: 0, count: 1 << 16)
      let count = block.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 {
        pendingEnd = true
      } else {
        pending.append(contentsOf: block[..<count])
      }
    }
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
