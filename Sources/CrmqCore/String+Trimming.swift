extension StringProtocol {
  /// The text without the whitespace (spaces, tabs, line breaks) at either end.
  public func trimmingWhitespace() -> String {
    var text = self[...]
    while let first = text.first, first.isWhitespace { text = text.dropFirst() }
    while let last = text.last, last.isWhitespace { text = text.dropLast() }
    return String(text)
  }
}
