import CrmqStorage

/// One column of every part of a file, in part order: what its merge appends.
///
/// Taken out of the parts so that each column's pieces are freed as soon as that column is merged.
enum ColumnPieces: @unchecked Sendable {
  case numeric([NumericColumnBuilder])
  case strings([StringColumnBuilder])
  /// Pieces parsed into the column's final buffer, a segment each at its place.
  case placedNumeric(SharedColumnBuffer<Int64>, [NumericColumnBuilder])
  case placedStrings(SharedColumnBuffer<UInt32>, [StringColumnBuilder])
  case extras([ExtraColumnBuilder])
  case missing

  /// Column `index` of `parts`; the columns past `known` (the schema's) are the file's extras.
  ///
  /// `placement`: the buffers the parts were parsed into, when they are the planned segments.
  init(_ index: Int, of parts: [SegmentResult], known: Int, placement: ColumnPlacement?) {
    guard let first = parts.first else {
      self = .missing
      return
    }
    if index >= known {
      self = .extras(parts.map { $0.extras[index - known] })
    } else if first.numeric[index] != nil {
      let pieces = parts.compactMap { $0.numeric[index] }
      if let buffer = placement?.numbers[index] {
        self = .placedNumeric(buffer, pieces)
      } else {
        self = .numeric(pieces)
      }
    } else if first.strings[index] != nil {
      let pieces = parts.compactMap { $0.strings[index] }
      if let buffer = placement?.codes[index] {
        self = .placedStrings(buffer, pieces)
      } else {
        self = .strings(pieces)
      }
    } else {
      self = .missing
    }
  }

  /// About how much work the merge is: its rows, plus its distinct texts (each re-coded into the
  /// merged dictionary) weighted as the dearer work they are.
  var cost: Int {
    switch self {
    case .numeric(let pieces), .placedNumeric(_, let pieces): return pieces.reduce(0) { $0 + $1.count }
    case .strings(let pieces), .placedStrings(_, let pieces):
      return pieces.reduce(0) { $0 + $1.count + 8 * $1.dictionarySize.distinct }
    case .extras(let pieces): return pieces.reduce(0) { $0 + 2 * $1.count }
    case .missing: return 0
    }
  }

  /// About the bytes the pieces hold of their own: what merging them frees.
  var ownBytes: Int {
    switch self {
    case .numeric(let pieces), .placedNumeric(_, let pieces): return pieces.reduce(0) { $0 + $1.ownBytes }
    case .strings(let pieces), .placedStrings(_, let pieces): return pieces.reduce(0) { $0 + $1.ownBytes }
    case .extras(let pieces): return pieces.reduce(0) { $0 + 16 * $1.count }
    case .missing: return 0
    }
  }

  /// The pieces appended in order into one column.
  consuming func merged() -> Column? {
    switch consume self {
    case .extras(var pieces):
      var builder = pieces.removeFirst()
      for piece in pieces { builder.append(contentsOf: piece) }
      pieces = []
      return builder.build()
    case .numeric(var pieces):
      var builder = pieces.removeFirst()
      builder.reserve(builder.count + pieces.reduce(0) { $0 + $1.count })
      // Each piece released once appended.
      for index in pieces.indices {
        builder.append(contentsOf: pieces[index])
        pieces[index] = NumericColumnBuilder(name: "", type: .int)
      }
      return builder.build()
    case .strings(var pieces):
      // Room for every piece's texts at once (an upper bound: pieces share most of their texts).
      var builder = pieces.removeFirst()
      builder.reserve(
        rows: builder.count + pieces.reduce(0) { $0 + $1.count },
        distinct: builder.dictionarySize.distinct + pieces.reduce(0) { $0 + $1.dictionarySize.distinct },
        bytes: builder.dictionarySize.bytes + pieces.reduce(0) { $0 + $1.dictionarySize.bytes })
      for index in pieces.indices {
        builder.append(contentsOf: pieces[index])
        pieces[index] = StringColumnBuilder(name: "")
      }
      return builder.build()
    case .placedNumeric(let buffer, let pieces):
      return NumericColumnBuilder.column(placed: pieces, in: buffer)
    case .placedStrings(let buffer, var pieces):
      return StringColumnBuilder.column(placed: &pieces, in: buffer)
    case .missing:
      return nil
    }
  }
}
