/// "Did you mean" candidates by edit distance, with case folded.
public enum Suggestions {
  /// The candidates closest to `name`, best first: exact case-insensitive matches, then those within
  /// a distance of 2 (1 for names of four characters or fewer).
  public static func closest(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
    // A name this long is no typo of a name: and a distance over it would cost its length times
    // each candidate's (a 10 MB literal took 47 s).
    guard name.utf8.count <= maximumLength else { return [] }
    let target = Array(name.lowercased())
    var scored: [(String, Int)] = []
    var seen = Set<String>()
    for candidate in candidates where !seen.contains(candidate) {
      seen.insert(candidate)
      let folded = Array(candidate.lowercased())
      let allowed = target.count <= 4 ? 1 : 2
      // Lengths further apart than the distance allowed cannot be within it.
      let distance = abs(folded.count - target.count) > allowed ? allowed + 1 : editDistance(target, folded)
      if distance <= allowed {
        scored.append((candidate, distance))
      } else if folded.count > 3, target.count > 3,
        folded.starts(with: target) || target.starts(with: folded)
      {
        scored.append((candidate, allowed + 1))
      }
    }
    scored.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
    return Array(scored.prefix(limit).map(\.0))
  }

  /// Names longer than this (in bytes) get no suggestions.
  public static let maximumLength = 256

  /// Damerau–Levenshtein distance (optimal string alignment) over characters.
  public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], previous2[j - 2] + 1)
        }
      }
      previous2 = previous
      previous = current
    }
    return previous[b.count]
  }

  /// `'a', 'b' or 'c'`.
  public static func list(_ names: [String], quote: Bool = true) -> String {
    let quoted = names.map { quote ? "'\($0)'" : $0 }
    if quoted.count <= 1 { return quoted.first ?? "" }
    return quoted.dropLast().joined(separator: ", ") + " or " + (quoted.last ?? "")
  }
}
