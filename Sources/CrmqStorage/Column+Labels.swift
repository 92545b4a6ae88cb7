extension Column {
  /// A text column of a few labels (`repeat` or `primary`; open, won, lost): row `i` holds
  /// `labels[picks[i]]`, or null where `picks[i]` is negative. Codes follow the order in which
  /// the rows first show each label, as a builder appending them row by row gives.
  ///
  /// One pass over small integers, where appending a text per row would look each up.
  public static func labels(name: String, _ labels: [String], picks: ContiguousArray<Int32>) -> Column {
    var interner = ByteInterner()
    var codeOfLabel = [UInt32](repeating: 0, count: labels.count)
    var codes = ContiguousArray<UInt32>(repeating: 0, count: picks.count)
    codes.withUnsafeMutableBufferPointer { codes in
      picks.withUnsafeBufferPointer { picks in
        for row in 0..<picks.count {
          let pick = Int(picks[row])
          guard pick >= 0 else { continue }
          if codeOfLabel[pick] == 0 {
            var label = labels[pick]
            codeOfLabel[pick] = label.withUTF8 { $0.isEmpty ? 0 : interner.intern($0) }
          }
          codes[row] = codeOfLabel[pick]
        }
      }
    }
    var rowCounts = [Int](repeating: 0, count: interner.count)
    for code in codes { rowCounts[Int(code)] += 1 }
    let dictionary = StringDictionary(interner: interner, rowCounts: rowCounts)
    return Column(name: name, type: .string, data: .dictionary(codes: codes, dictionary: dictionary), validity: nil)
  }

  /// Whether `row` is set in a validity bitmap; a nil bitmap (no nulls) has every row set.
  @inlinable
  public static func isValid(_ row: Int, in validity: ContiguousArray<UInt64>?) -> Bool {
    guard let validity else { return true }
    return validity[row >> 6] & (1 << UInt64(row & 63)) != 0
  }
}
