extension Engine {
  /// What Tab offers at `cursor` (a character offset into `line`): the same candidates as the
  /// shell and `crmq serve`'s `complete`, and how many characters before the cursor they replace.
  ///
  /// ```swift
  /// let (replacing, candidates) = engine.completions(for: "deals by man", at: 12)
  /// // replacing == 3, candidates contains "manager"
  /// ```
  public func completions(for line: String, at cursor: Int) -> (replacing: Int, candidates: [String]) {
    Completer(engine: self).complete(line: line, cursor: cursor)
  }
}
