/// A script's text cut at its dot commands (`.timer on` on a line of its own), so scripts, `-c`
/// and standard input take the settings the shell takes.
///
/// The statements between keep their line numbers: each piece of statements is the whole text with
/// the other lines left empty.
enum DotLines {
  struct Piece: Equatable {
    /// The dot command (`.timer on`), or nil for statements.
    var command: String?
    /// The statements, blank lines standing for the lines before them.
    var text: String
    /// The 1-based line the piece starts on.
    var line: Int
  }

  static func split(_ text: String) -> [Piece] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.contains(where: isCommand) else {
      return [Piece(command: nil, text: text, line: 1)]
    }
    var pieces: [Piece] = []
    var start = 0
    func flush(_ end: Int) {
      let body = lines[start..<end]
      guard body.contains(where: { !$0.allSatisfy(\.isWhitespace) }) else { return }
      pieces.append(
        Piece(
          command: nil, text: String(repeating: "\n", count: start) + body.joined(separator: "\n"), line: start + 1))
    }
    for (index, line) in lines.enumerated() where isCommand(line) {
      flush(index)
      pieces.append(Piece(command: line.trimmingWhitespace(), text: "", line: index + 1))
      start = index + 1
    }
    flush(lines.count)
    return pieces
  }

  /// `.word …` at the start of a line (leading spaces allowed); `.5` or `..` are not commands.
  static func isCommand(_ line: Substring) -> Bool {
    let text = line.drop(while: { $0 == " " })
    guard text.first == ".", let next = text.dropFirst().first else { return false }
    return next.isLetter
  }
}
