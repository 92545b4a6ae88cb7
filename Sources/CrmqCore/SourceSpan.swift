/// A half-open range of UTF-8 byte offsets into a `SourceFile`.
///
/// Spans are cheap to carry on every syntax node; lines and columns are computed only when a
/// diagnostic is rendered (`SourceFile.location(of:)`).
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
  public var start: Int
  public var end: Int

  public init(start: Int, end: Int) {
    self.start = start
    self.end = max(start, end)
  }

  /// The smallest span covering both.
  public func merged(with other: SourceSpan) -> SourceSpan {
    SourceSpan(start: min(start, other.start), end: max(end, other.end))
  }

  public var length: Int { end - start }
  public var description: String { "\(start)..<\(end)" }
}
