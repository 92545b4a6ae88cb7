/// A half-open range of UTF-8 byte offsets into a `SourceFile`.
///
/// Spans are cheap to carry on every syntax node; lines and columns are computed only when a
/// diagnostic is rendered (`SourceFile.location(of:)`).
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
  /// The first byte (UTF-8 offset).
  public var start: Int
  /// The byte after the last.
  public var end: Int

  /// A span of bytes `start..<end`.
  public init(start: Int, end: Int) {
    self.start = start
    self.end = max(start, end)
  }

  /// The smallest span covering both.
  public func merged(with other: SourceSpan) -> SourceSpan {
    SourceSpan(start: min(start, other.start), end: max(end, other.end))
  }

  /// Bytes covered.
  public var length: Int { end - start }
  /// `12..<16`.
  public var description: String { "\(start)..<\(end)" }
}
