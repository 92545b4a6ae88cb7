import CrmqCore
import CrmqStorage

/// Turns a CRM's deal export into the canonical deals format, byte by byte, saying what it did.
///
/// The export is decoded (`ExportText`), its dialect detected from the headers, each canonical
/// column taken from its source header and converted (dates `dd.mm.yyyy HH:MM:SS` to ISO, "не
/// закрыта" to null, `50 000,00` to `50000.00`), the status derived from the stage names, client
/// ids given per distinct client, and consecutive rows that repeat a deal (Bitrix24's one row per
/// product) collapsed with their amounts summed. Other columns are kept as extras. The output is
/// canonical CSV for the ordinary reader; no `String` is made per field.
struct ExportConverter {
  let dialect: DealDialect
  var details: [String] = []
  /// Why the dates were read in the order they were, when the column had to decide it.
  var dateNote: String?
  /// How the amounts were read, when the column showed English separators.
  var amountNote: String?
  var warnings: [Diagnostic] = []

  static let canonicalColumns = CanonicalSchema.deals.columns.map(\.name)
  static let notClosed = Array("не закрыта".utf8)

  /// The canonical CSV bytes of a deal export, whether it gave client ids, and what was done; nil
  /// when no dialect matches its headers.
  ///
  /// `dialect` forces one (`--dialect`, a mapping). `cancelled` is asked before each segment; a
  /// cancelled conversion throws E0602.
  static func convert(
    _ text: ExportText, fileName: String, segmentSize: Int = 8 << 20,
    dialect forced: (_ header: [String]) -> DealDialect? = { _ in nil },
    cancelled: @Sendable () -> Bool = LoadProgress.never, progress: LoadProgress? = nil
  ) throws -> Output? {
    try text.bytes.withUnsafeBufferPointer { bytes -> Output? in
      var scanner = CSVScanner(bytes: bytes, start: 0, delimiter: text.delimiter)
      var fields: [FieldRef] = []
      guard case .record = scanner.next(into: &fields) else { return nil }
      var header = fields.map { CSVText.text(bytes, $0).trimmingWhitespace() }
      let trailing = header.last == ""
      if trailing { header.removeLast() }
      guard let dialect = forced(header) ?? DealDialect.detect(header) else { return nil }
      var converter = ExportConverter(dialect: dialect)
      let delimiterName = text.delimiter == UInt8(ascii: ";") ? "';'" : text.delimiter == 9 ? "tab" : "','"
      let form = text.source.map { "\($0), \(text.encoding)" } ?? "\(text.encoding), delimiter \(delimiterName)"
      let what =
        !dialect.signature.isEmpty
        ? "\(dialect.name) deals export"
        : dialect.name == "mapped"
          ? "deals, with the mapping given" : "\(dialect.name) deals export, with the mapping given"
      converter.details.append("\(fileName): \(what), \(form)")
      if text.invalidBytes > 0, let line = text.firstInvalidLine {
        converter.details.append(
          "\(text.invalidBytes) bytes are not valid UTF-8 (the first on line \(line)); they are shown as \u{FFFD}")
      }
      var planned = converter.layout(header)
      let dataStart = scanner.position
      let order = ExportConverter.dateOrder(
        bytes, from: dataStart, delimiter: text.delimiter,
        columns: [planned.mapped["created_at"], planned.mapped["closed_at"]].compactMap { $0 })
      planned.monthFirst = order.monthFirst
      converter.dateNote = order.note
      let amounts = AmountFormat.detect(
        bytes, from: dataStart, delimiter: text.delimiter, column: planned.mapped["amount"])
      planned.amountFormat = amounts.format
      converter.amountNote = amounts.note
      let cuts = ExportConverter.cuts(bytes, from: dataStart, delimiter: text.delimiter, segmentSize: segmentSize)
      let segments = (0..<(cuts.count - 1)).map { cuts[$0]..<cuts[$0 + 1] }
      let shared = SharedBytes(bytes: bytes)
      func convertAll(_ layout: Layout) throws -> [Piece] {
        let parts = ConvertedParts(count: segments.count)
        progress?.begin("converting \(fileName)", totalBytes: bytes.count)
        Workers.forEach(segments.count) { index in
          if cancelled() { return }
          let piece = ExportConverter.convert(
            shared.bytes, layout: layout, delimiter: text.delimiter, range: segments[index])
          progress?.add(bytes: segments[index].count, rows: 0)
          parts.set(index, piece)
        }
        if cancelled() { throw FolderLoader.loadCancelled() }
        let pieces = parts.values
        // A cut inside a quoted line break shows as a segment that does not end where planned; a
        // cut between two rows of one deal (the cut is placed by physical lines, which a quoted
        // line break fools) as a segment that starts with the deal the one before ended with.
        let endsWhere = zip(pieces, segments).allSatisfy { $0.end == $1.upperBound && $0.unterminated == nil }
        let splitsADeal = zip(pieces, pieces.dropFirst()).contains { !$0.lastId.isEmpty && $0.lastId == $1.firstId }
        if segments.count > 1, !endsWhere || splitsADeal {
          return [
            ExportConverter.convert(bytes, layout: layout, delimiter: text.delimiter, range: dataStart..<bytes.count)
          ]
        }
        return pieces
      }
      var pieces = try convertAll(planned)
      // The order was chosen by the first date that settles it; when more dates fit only the
      // other order, that one was an exception: convert again the other way.
      let agreeing = pieces.reduce(0) { $0 + $1.agreeing }
      let contradicting = pieces.reduce(0) { $0 + $1.contradicting }
      if contradicting > agreeing {
        planned.monthFirst.toggle()
        converter.dateNote = "most dates fit \(planned.monthFirst ? "month" : "day") first only"
        pieces = try convertAll(planned)
      }
      let layout = planned
      var out = layout.headerLine
      out.reserveCapacity(bytes.count + bytes.count / 4)
      var collapsed = 0
      var skipped: [Int] = []
      var formats = Set<String>()
      var lineOffset = scanner.line - 1
      var rounded = 0
      var firstRounded: (line: Int, written: String, kopecks: Int64)?
      var closedButOpen: [String: Int] = [:]
      var closedWithoutDate = 0
      var listed = Set<Int>()
      var minority = 0
      var firstMinority: (line: Int, written: String)?
      var origins: [(line: Int, start: Int)] = []
      origins.reserveCapacity(pieces.reduce(0) { $0 + $1.origins.count })
      for piece in pieces {
        origins += piece.origins.map { ($0.line + lineOffset, $0.start) }
        if let line = piece.unterminated {
          throw CrmqError(
            ExportConverter.unterminatedQuote(
              bytes, fileName: fileName, line: line + lineOffset, at: piece.unterminatedAt))
        }
        minority += piece.contradicting
        if firstMinority == nil, let first = piece.firstContradicting {
          firstMinority = (first.line + lineOffset, first.written)
        }
        closedButOpen.merge(piece.closedButOpen, uniquingKeysWith: +)
        closedWithoutDate += piece.closedWithoutDate
        listed.formUnion(piece.listed)
        out.append(contentsOf: piece.bytes)
        collapsed += piece.collapsed
        rounded += piece.rounded
        if firstRounded == nil, let first = piece.firstRounded {
          firstRounded = (first.line + lineOffset, first.written, first.kopecks)
        }
        skipped += piece.skipped.map { $0 + lineOffset }
        if let line = piece.unterminated { skipped.append(line + lineOffset) }
        formats.formUnion(DateForm.names(piece.dateForms))
        // A workbook's date cells arrive as YYYY-MM-DD text made from Excel's day serials.
        if text.source == XLSXWorkbook.source, formats.remove("YYYY-MM-DD") != nil {
          formats.insert("Excel date cells")
        }
        lineOffset += piece.lines
      }
      converter.finishDetails(
        layout: layout, header: header, collapsed: collapsed, skipped: skipped, dateFormats: formats)
      if !listed.isEmpty {
        converter.details.append(
          "a deal's product rows that differ are kept as lists ('; ' between them) in "
            + listed.sorted().map { "'\(layout.extras[$0].name)'" }.joined(separator: ", "))
      }
      if !closedButOpen.isEmpty {
        converter.warnings.append(
          converter.closedButOpenWarning(closedButOpen, layout: layout, header: header, fileName: fileName))
      }
      if let firstMinority {
        let order = layout.monthFirst ? "month first" : "day first"
        converter.warnings.append(
          Diagnostic(
            DiagnosticCode("E0518"), .warning,
            "'\(fileName)': the dates are read \(order), as most of them show, but \(minority) date\(minority == 1 ? " fits" : "s fit") only the other order; "
              + "the first, '\(firstMinority.written)' on line \(firstMinority.line), cannot be read and its row is rejected",
            help: [
              "check those rows in the CRM: a date typed by hand the other way round, or an export that mixes two formats"
            ]))
      }
      if closedWithoutDate > 0 {
        let column =
          layout.mapped["closed_at"].map { "'\(header[$0])' is empty for them" }
          ?? "the file has no closing date mapped"
        converter.warnings.append(
          Diagnostic(
            DiagnosticCode("E0516"), .warning,
            "'\(fileName)': \(closedWithoutDate) won or lost deal\(closedWithoutDate == 1 ? " has" : "s have") no closing date (\(column)), "
              + "so won, lost, revenue and the other measures counted when deals close leave \(closedWithoutDate == 1 ? "it" : "them") out",
            help: [
              layout.mapped["closed_at"] == nil
                ? "map the closing date: load '\(fileName)' map closed_at = <column>"
                : "fill in the closing dates in the CRM and export again"
            ]))
      }
      if let firstRounded {
        converter.details.append(
          "\(rounded) amount\(rounded == 1 ? "" : "s") with more than two decimals rounded to the kopeck, half away from zero "
            + "(the first on line \(firstRounded.line): \(firstRounded.written) → \(NumberFormat.money(firstRounded.kopecks)))"
        )
      }
      // The export's field each converted column comes from: the canonical columns as mapped (the
      // status from its column), then the extras.
      let sources: [Int?] =
        ExportConverter.canonicalColumns.map {
          $0 == "status" ? layout.statusIndex ?? layout.groupIndex : layout.mapped[$0]
        }
        + layout.extras.map(\.index)
      let origin = ExportOrigin(
        text: text.bytes, delimiter: text.delimiter, rows: origins, sources: sources, header: header, sheet: text.sheet)
      converter.warnings = text.warnings + converter.warnings
      return Output(
        bytes: out, details: converter.details, warnings: converter.warnings,
        clientIds: layout.mapped["client_id"] != nil, origin: origin)
    }
  }

  /// A converted export: canonical CSV, what was done, what the user should know, and whether
  /// the export gave client ids.
  struct Output {
    var bytes: [UInt8]
    var details: [String]
    var warnings: [Diagnostic]
    var clientIds: Bool
    /// Where each converted row came from, for warnings that quote the export itself.
    var origin: ExportOrigin?
  }

  /// Error E0506 for an export whose quoted field never closes: the rest of the file would be
  /// one field, so nothing after it can be trusted.
  ///
  /// It quotes the user's own line.
  static func unterminatedQuote(
    _ bytes: UnsafeBufferPointer<UInt8>, fileName: String, line: Int, at place: (lineStart: Int, offset: Int)
  )
    -> Diagnostic
  {
    let source = SourceFile(name: fileName, text: CSVText.line(bytes, place.lineStart), firstLine: line)
    let column = place.offset - place.lineStart
    return Diagnostic(
      DiagnosticCode("E0506"), .error, "'\(fileName)': a quoted field never ends",
      span: SourceSpan(start: column, end: column + 1), label: "this quote is not closed before the end of the file",
      help: ["inside quotes a quote is written twice (\"\"); check the export was not cut off"], source: source)
  }

  /// Warning E0515: deals the export says are closed, whose stage names no won or lost stage, so
  /// they load as open; it names the stages and how to map them.
  func closedButOpenWarning(_ stages: [String: Int], layout: Layout, header: [String], fileName: String) -> Diagnostic {
    let ordered = stages.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    let total = stages.values.reduce(0, +)
    let word =
      layout.closedByDate
      ? "a closing date in '\(layout.mapped["closed_at"].map { header[$0] } ?? "closed_at")'"
      : "'\(layout.closedIndex.map { header[$0] } ?? "closed")' = \(dialect.closedValues[0])"
    let list = ordered.prefix(5).map { "'\($0.key)' (\($0.value))" }.joined(separator: ", ")
    let example = "'\(ordered[0].key)' = won" + (ordered.count > 1 ? ", '\(ordered[1].key)' = lost" : "")
    return Diagnostic(
      DiagnosticCode("E0515"), .warning,
      "'\(fileName)': \(total) deal\(total == 1 ? " is" : "s are") closed by \(word), but \(total == 1 ? "its" : "their") stage is no won or lost stage, so \(total == 1 ? "it loads" : "they load") as open: "
        + list + (ordered.count > 5 ? ", and \(ordered.count - 5) more" : ""),
      help: [
        "say which of these stages are won and which lost, for example: load '\(fileName)' map status from stage (\(example))"
      ])
  }

  /// Where to cut the data: line breaks about `segmentSize` apart, moved past the rows that repeat
  /// a deal (one per product), so a deal's rows stay in one segment.
  static func cuts(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, delimiter: UInt8, segmentSize: Int) -> [Int] {
    func lineEnd(_ from: Int) -> Int {
      var position = from
      while position < bytes.count && bytes[position] != 10 { position += 1 }
      return min(bytes.count, position + 1)
    }
    func firstField(_ line: Int) -> ArraySlice<UInt8> {
      var end = line
      while end < bytes.count && bytes[end] != delimiter && bytes[end] != 10 { end += 1 }
      return ArraySlice(bytes[line..<end])
    }
    var cuts = [start]
    var next = start + segmentSize
    while next < bytes.count - segmentSize / 4 {
      var cut = lineEnd(next)
      var previousStart = next
      while previousStart > start && bytes[previousStart - 1] != 10 { previousStart -= 1 }
      while cut < bytes.count && firstField(cut) == firstField(previousStart) {
        previousStart = cut
        cut = lineEnd(cut)
      }
      if cut >= bytes.count { break }
      cuts.append(cut)
      next = cut + segmentSize
    }
    cuts.append(bytes.count)
    return cuts
  }

  /// Which header feeds each canonical column, and the extras, decided once from the header.
  struct Layout: @unchecked Sendable {
    var mapped: [String: Int]
    var extras: [(name: String, index: Int)]
    var headerLine: [UInt8]
    /// The column whose values give the status, and the values meaning won and lost (as
    /// written and in lower case).
    var statusIndex: Int?
    var wonValues: [[UInt8]]
    var lostValues: [[UInt8]]
    /// Dates written month first (`03/25/2026`), as the whole column showed.
    var monthFirst = false
    /// The amounts' separators, as the whole column showed.
    var amountFormat = AmountFormat()
    /// The stage group's column and its values for won and lost (which outrank the stage name),
    /// and the column whose value (or date, `closedByDate`) says a deal is closed.
    var groupIndex: Int?
    var groupWon: [[UInt8]] = []
    var groupLost: [[UInt8]] = []
    var closedIndex: Int?
    var closedValues: [[UInt8]] = []
    var closedByDate = false
  }

  /// One converted segment.
  struct Piece {
    var bytes: [UInt8] = []
    var collapsed = 0
    var skipped: [Int] = []
    var unterminated: Int?
    /// The date formats met, as bits of `DateForm`.
    var dateForms: UInt16 = 0
    var end = 0
    var lines = 0
    /// Where the quote that never closes opens: the byte offsets of its line and of the quote.
    var unterminatedAt: (lineStart: Int, offset: Int) = (0, 0)
    /// The first and last deal ids, to see a deal's rows split between two segments.
    var firstId: [UInt8]?
    var lastId: [UInt8] = []
    /// Amounts rounded to the kopeck by more than a double's noise: how many, and the first
    /// (its line in the segment, as written, as read).
    var rounded = 0
    var firstRounded: (line: Int, written: String, kopecks: Int64)?
    /// Deals closed by the export's own word whose stage is no won or lost one: stage → count.
    var closedButOpen: [String: Int] = [:]
    /// Won or lost deals with no closing date.
    var closedWithoutDate = 0
    /// The extra columns (by position) where a deal's product rows gave more than one value.
    var listed = Set<Int>()
    /// Each row written: its record's line in the segment and its first byte in the export.
    var origins: [(line: Int, start: Int)] = []
    /// Dates that fit only the day-month order read (`agreeing`), or only the other one; the
    /// first of those (its line in the segment, as written).
    var agreeing = 0
    var contradicting = 0
    var firstContradicting: (line: Int, written: String)?
  }

  mutating func layout(_ header: [String]) -> Layout {
    func index(_ column: String) -> Int? {
      for candidate in dialect.sources[column] ?? [] {
        if let found = header.firstIndex(of: candidate) { return found }
      }
      return nil
    }
    var mapped: [String: Int] = [:]
    for column in ExportConverter.canonicalColumns { if let found = index(column) { mapped[column] = found } }
    let statusIndex = dialect.statusSources.lazy.compactMap { header.firstIndex(of: $0) }.first
    let groupIndex = dialect.groupSources.lazy.compactMap { header.firstIndex(of: $0) }.first
    let closedIndex = dialect.closedSources.lazy.compactMap { header.firstIndex(of: $0) }.first
    var used = Set(mapped.values)
    if let statusIndex { used.insert(statusIndex) }
    var extras: [(name: String, index: Int)] = []
    var names = Set(ExportConverter.canonicalColumns)
    for (position, name) in header.enumerated() where !used.contains(position) && !name.isEmpty {
      var unique = name
      var number = 2
      while names.contains(unique) {
        unique = "\(name) (\(number))"
        number += 1
      }
      names.insert(unique)
      extras.append((unique, position))
    }
    details.append(
      "columns: "
        + ExportConverter.canonicalColumns.compactMap { column in mapped[column].map { "\(column) ← \(header[$0])" } }
        .joined(separator: ", "))
    if !extras.isEmpty { details.append("kept as extra columns: " + extras.map(\.name).joined(separator: ", ")) }
    let headerLine = Array(
      ((ExportConverter.canonicalColumns + extras.map(\.name)).map(ExportConverter.quoteText).joined(separator: ",")
        + "\n").utf8)
    func variants(_ values: [String]) -> [[UInt8]] {
      values.flatMap { [Array($0.utf8), Array($0.lowercased().utf8)] }
    }
    var layout = Layout(
      mapped: mapped, extras: extras, headerLine: headerLine, statusIndex: statusIndex,
      wonValues: variants(dialect.wonValues),
      lostValues: variants(dialect.lostValues))
    layout.groupIndex = groupIndex
    layout.groupWon = variants(dialect.groupWonValues)
    layout.groupLost = variants(dialect.groupLostValues)
    layout.closedIndex = closedIndex
    layout.closedValues = variants(dialect.closedValues)
    layout.closedByDate = dialect.closedByDate
    return layout
  }

  mutating func finishDetails(
    layout: Layout, header: [String], collapsed: Int, skipped: [Int], dateFormats: Set<String>
  ) {
    if !skipped.isEmpty {
      details.append(
        "\(skipped.count) row\(skipped.count == 1 ? "" : "s") skipped, unreadable (a quote out of place) at line "
          + skipped.prefix(5).map(String.init).joined(separator: ", "))
    }
    if layout.mapped["pipeline"] == nil {
      details.append("no pipeline column: every deal is in the pipeline 'Основная'")
    }
    details.append(
      layout.statusIndex == nil && layout.groupIndex == nil
        ? "no status column: every deal is open" : dialect.statusRule(group: layout.groupIndex.map { header[$0] }))
    if !dateFormats.isEmpty {
      details.append(
        "dates read as " + dateFormats.sorted().joined(separator: ", ") + (dateNote.map { " (\($0))" } ?? ""))
    }
    if let amountNote { details.append("amounts read with \(amountNote)") }
    details.append("client_id given per distinct \(layout.mapped["client"].map { header[$0] } ?? "client")")
    if collapsed > 0 {
      details.append(
        "\(collapsed) product row\(collapsed == 1 ? "" : "s") collapsed into \(collapsed == 1 ? "its deal" : "their deals"), amounts summed"
      )
    }
  }

  /// Converts the rows of one byte range.
  ///
  /// client_id, unless a mapping gives it, is left empty: the reader numbers clients after loading,
  /// in first-seen order over the whole file.
  static func convert(_ bytes: UnsafeBufferPointer<UInt8>, layout: Layout, delimiter: UInt8, range: Range<Int>) -> Piece
  {
    var piece = Piece()
    let mapped = layout.mapped
    let extras = layout.extras
    var scanner = CSVScanner(
      bytes: UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), start: range.lowerBound, delimiter: delimiter)
    var fields: [FieldRef] = []
    var out: [UInt8] = []
    out.reserveCapacity(range.count + range.count / 4)
    var scratch: [UInt8] = []
    var previousId: [UInt8] = []
    var previousAmount: Int64?
    // Where in `out` the last row's extras begin, and, once a product row of its deal comes, the
    // deal's extra values as lists (read back from its first row only then: product rows are
    // few, and every row paying for lists made exports a third slower).
    var extrasStart = 0
    var extraValues: [[[UInt8]]]?
    var amountRange = 0..<0
    var rowNumber = range.lowerBound
    // Read once: a field of `layout` read inside the row loop's closures copies the whole layout.
    let (statusIndex, wonValues, lostValues, monthFirst) = (
      layout.statusIndex, layout.wonValues, layout.lostValues, layout.monthFirst
    )
    let (groupIndex, groupWon, groupLost) = (layout.groupIndex, layout.groupWon, layout.groupLost)
    let (closedIndex, closedValues, closedByDate) = (layout.closedIndex, layout.closedValues, layout.closedByDate)
    let amountFormat = layout.amountFormat
    let columnIndex = ExportConverter.canonicalColumns.map { mapped[$0] }
    let columnKinds = ExportConverter.canonicalColumns.map(ColumnKind.init)
    let won = Array("won".utf8)
    let lost = Array("lost".utf8)
    let open = Array("open".utf8)

    loop: while scanner.position < range.upperBound {
      let recordLine = scanner.line
      let recordStart = scanner.position
      switch scanner.next(into: &fields) {
      case .endOfFile: break loop
      case .strayAfterQuote(let line, _, _):
        piece.skipped.append(line)
        continue loop
      case .unterminatedQuote(let line, let lineStart, let offset):
        piece.unterminated = line
        piece.unterminatedAt = (lineStart, offset)
        break loop
      case .record: break
      }
      rowNumber += 1
      /// Calls `body` with a column's bytes, spaces trimmed (empty when the column is missing).
      func with<R>(_ position: Int?, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard let position, position < fields.count else { return [UInt8]().withUnsafeBufferPointer(body) }
        return CSVText.withField(bytes, fields[position], &scratch) { raw in
          var start = 0
          var end = raw.count
          while start < end && (raw[start] == 32 || raw[start] == 9) { start += 1 }
          while end > start && (raw[end - 1] == 32 || raw[end - 1] == 9 || raw[end - 1] == 13) { end -= 1 }
          return body(UnsafeBufferPointer(rebasing: raw[start..<end]))
        }
      }
      let id: [UInt8] = mapped["id"] != nil ? with(mapped["id"]) { Array($0) } : Array(String(rowNumber).utf8)
      let amount: Int64? = with(mapped["amount"]) { written in
        guard let reading = amountFormat.kopecks(written) else { return nil }
        if reading.rounded && !reading.noise {
          piece.rounded += 1
          if piece.firstRounded == nil {
            piece.firstRounded = (recordLine, String(decoding: written, as: UTF8.self), reading.kopecks)
          }
        }
        return reading.kopecks
      }
      if !id.isEmpty && id == previousId {
        // A product row of the deal just written: add its amount there.
        piece.collapsed += 1
        if let value = amount, let previous = previousAmount {
          previousAmount = previous + value
          let text = Array(NumberFormat.money(previous + value).utf8)
          let shift = text.count - amountRange.count
          out.replaceSubrange(amountRange, with: text)
          amountRange = amountRange.lowerBound..<(amountRange.lowerBound + text.count)
          extrasStart += shift
        }
        // Its other columns (Bitrix24's product, price, quantity): each value not yet in the
        // deal's cell joins it, so no product is lost.
        if extraValues == nil, let first = piece.origins.last {
          var again = CSVScanner(
            bytes: UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), start: first.start, delimiter: delimiter)
          var firstFields: [FieldRef] = []
          _ = again.next(into: &firstFields)
          extraValues = extras.map { extra in
            guard extra.index < firstFields.count else { return [] }
            let value = CSVText.withField(bytes, firstFields[extra.index], &scratch) { Array($0) }
            return value.isEmpty ? [] : [value]
          }
        }
        var lists = extraValues ?? []
        var added = false
        for (position, extra) in extras.enumerated() where extra.index < fields.count && position < lists.count {
          let value = CSVText.withField(bytes, fields[extra.index], &scratch) { Array($0) }
          if !value.isEmpty && !lists[position].contains(value) {
            lists[position].append(value)
            piece.listed.insert(position)
            added = true
          }
        }
        extraValues = lists
        if added {
          out.removeSubrange(extrasStart..<(out.count - 1))
          var tail: [UInt8] = []
          for values in lists {
            tail.append(UInt8(ascii: ","))
            ExportConverter.quote(Array(values.joined(separator: Array("; ".utf8))), into: &tail)
          }
          out.insert(contentsOf: tail, at: extrasStart)
        }
        continue loop
      }
      previousId = id
      previousAmount = amount
      if piece.firstId == nil { piece.firstId = id }
      piece.origins.append((recordLine, recordStart))
      // The CRM's stage group first (a renamed stage keeps its group), then the stage's name.
      var status: [UInt8] = with(groupIndex) { value in
        if groupWon.contains(where: { $0.elementsEqual(value) }) { return won }
        if groupLost.contains(where: { $0.elementsEqual(value) }) { return lost }
        return open
      }
      if status == open {
        status = with(statusIndex) { value in
          if wonValues.contains(where: { $0.elementsEqual(value) }) { return won }
          if lostValues.contains(where: { $0.elementsEqual(value) }) { return lost }
          return open
        }
      }
      if status == open {
        let closed =
          closedByDate
          ? with(mapped["closed_at"]) { !$0.isEmpty && !$0.elementsEqual(ExportConverter.notClosed) }
          : with(closedIndex) { value in closedValues.contains { $0.elementsEqual(value) } }
        if closed {
          let stage = with(mapped["stage"]) { String(decoding: $0, as: UTF8.self) }
          piece.closedButOpen[stage, default: 0] += 1
        }
      }
      for (position, column) in columnKinds.enumerated() {
        if position > 0 { out.append(UInt8(ascii: ",")) }
        let source = columnIndex[position]
        switch column {
        case .id: ExportConverter.quote(id, into: &out)
        case .status: out.append(contentsOf: status)
        case .amount:
          let start = out.count
          if let amount {
            out.append(contentsOf: NumberFormat.money(amount).utf8)
          } else {
            with(source) { ExportConverter.quote($0, into: &out) }
          }
          amountRange = start..<out.count
        case .pipeline where source == nil: out.append(contentsOf: "Основная".utf8)
        case .currency where source == nil: out.append(contentsOf: "RUB".utf8)
        case .currency:
          with(source) { $0.isEmpty ? out.append(contentsOf: "RUB".utf8) : ExportConverter.quote($0, into: &out) }
        case .clientId: with(source) { ExportConverter.quote($0, into: &out) }
        case .lossReason: if status == lost { with(source) { ExportConverter.quote($0, into: &out) } }
        case .createdAt:
          with(source) {
            piece.count(
              ExportConverter.appendTimestamp($0, to: &out, &piece.dateForms, monthFirst: monthFirst), $0, recordLine)
          }
        case .closedAt:
          if status != open {
            let start = out.count
            with(source) {
              piece.count(
                ExportConverter.appendTimestamp($0, to: &out, &piece.dateForms, monthFirst: monthFirst), $0, recordLine)
            }
            if out.count == start { piece.closedWithoutDate += 1 }
          }
        case .pipeline, .text: with(source) { ExportConverter.quote($0, into: &out) }
        }
      }
      extrasStart = out.count
      extraValues = nil
      for extra in extras {
        out.append(UInt8(ascii: ","))
        if extra.index < fields.count {
          CSVText.withField(bytes, fields[extra.index], &scratch) { ExportConverter.quote($0, into: &out) }
        }
      }
      out.append(10)
    }
    piece.bytes = out
    piece.lastId = previousId
    piece.end = scanner.position
    piece.lines = scanner.line - 1
    return piece
  }

  /// How each canonical column is written.
  enum ColumnKind {
    case id, status, amount, pipeline, currency, clientId, lossReason, createdAt, closedAt, text

    init(_ name: String) {
      switch name {
      case "id": self = .id
      case "status": self = .status
      case "amount": self = .amount
      case "pipeline": self = .pipeline
      case "currency": self = .currency
      case "client_id": self = .clientId
      case "loss_reason": self = .lossReason
      case "created_at": self = .createdAt
      case "closed_at": self = .closedAt
      default: self = .text
      }
    }
  }

  static func quoteText(_ text: String) -> String {
    var out: [UInt8] = []
    quote(Array(text.utf8), into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends a field, in double quotes when it holds a comma, a quote or a line break.
  static func quote(_ field: [UInt8], into out: inout [UInt8]) {
    field.withUnsafeBufferPointer { quote($0, into: &out) }
  }

  static func quote(_ field: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    let needs = field.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
    guard needs else {
      out.append(contentsOf: field)
      return
    }
    out.append(UInt8(ascii: "\""))
    for byte in field {
      if byte == UInt8(ascii: "\"") { out.append(byte) }
      out.append(byte)
    }
    out.append(UInt8(ascii: "\""))
  }

  /// Whether the date columns write the month first: decided by the whole column, not by one
  /// row.
  ///
  /// A first number above 12 anywhere means day first; a second above 12, month first
  /// (`03/25/2026`); when every date fits both, day first (the Russian way) and the report says the
  /// order was assumed. The scan stops as soon as the order is known.
  static func dateOrder(
    _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, delimiter: UInt8, columns: [Int]
  ) -> (monthFirst: Bool, note: String?) {
    guard !columns.isEmpty else { return (false, nil) }
    var scanner = CSVScanner(bytes: bytes, start: start, delimiter: delimiter)
    var fields: [FieldRef] = []
    var scratch: [UInt8] = []
    var dayFirstSeen: String?
    var monthFirstSeen: String?
    var ambiguous = 0
    rows: while true {
      switch scanner.next(into: &fields) {
      case .endOfFile: break rows
      case .strayAfterQuote, .unterminatedQuote: continue rows
      case .record: break
      }
      for column in columns where column < fields.count {
        CSVText.withField(bytes, fields[column], &scratch) { raw in
          guard let (a, b) = leadingPair(raw) else { return }
          let text = String(decoding: raw, as: UTF8.self)
          if a > 12 && b <= 12 && dayFirstSeen == nil { dayFirstSeen = text }
          if b > 12 && a <= 12 && monthFirstSeen == nil { monthFirstSeen = text }
          if a <= 12 && b <= 12 { ambiguous += 1 }
        }
      }
      if dayFirstSeen != nil || monthFirstSeen != nil { break rows }
    }
    if let monthFirstSeen, dayFirstSeen == nil {
      let month = monthFirstSeen.split(whereSeparator: { $0 == "/" || $0 == "." }).dropFirst().first ?? ""
      return (true, "month first: '\(monthFirstSeen)' has no month \(month)")
    }
    if dayFirstSeen == nil && ambiguous > 0 {
      return (false, "every date fits both orders; day first assumed, as Russian CRMs write them")
    }
    return (false, nil)
  }

  /// The first two numbers of `12.03.2026` or `3/25/26`, when the field is such a date.
  static func leadingPair(_ raw: UnsafeBufferPointer<UInt8>) -> (Int, Int)? {
    var index = 0
    func number() -> Int? {
      var value = 0
      let start = index
      while index < raw.count, raw[index] >= 48, raw[index] <= 57, index - start < 3 {
        value = value * 10 + Int(raw[index] - 48)
        index += 1
      }
      return index > start ? value : nil
    }
    while index < raw.count, raw[index] == 32 { index += 1 }
    guard let a = number(), index < raw.count, raw[index] == UInt8(ascii: ".") || raw[index] == UInt8(ascii: "/") else {
      return nil
    }
    let separator = raw[index]
    index += 1
    guard let b = number(), index < raw.count, raw[index] == separator else { return nil }
    return (a, b)
  }

  /// The date formats a file may use, as bits: the report names those met.
  enum DateForm {
    static let iso: UInt16 = 1
    /// Bits for (dotted, month first, four-digit year) = 2 << index.
    static func bit(dotted: Bool, monthFirst: Bool, fullYear: Bool) -> UInt16 {
      2 << ((dotted ? 4 : 0) + (monthFirst ? 2 : 0) + (fullYear ? 1 : 0))
    }
    static func names(_ bits: UInt16) -> Set<String> {
      var out = Set<String>()
      if bits & iso != 0 { out.insert("YYYY-MM-DD") }
      for dotted in [false, true] {
        for monthFirst in [false, true] {
          for fullYear in [false, true]
          where bits & bit(dotted: dotted, monthFirst: monthFirst, fullYear: fullYear) != 0 {
            let separator = dotted ? "." : "/"
            let (first, second) = monthFirst ? ("mm", "dd") : ("dd", "mm")
            out.insert(first + separator + second + separator + (fullYear ? "yyyy" : "yy"))
          }
        }
      }
      return out
    }
  }

  /// What a date says of the day-month order it was read in: nothing (both numbers fit either
  /// place), that it fits only that order, or that it fits only the other one.
  enum OrderEvidence {
    case none, agrees, contradicts
  }

  /// Appends `dd.mm.yyyy[ HH:MM[:SS]]`, `dd/mm/yyyy`, `dd.mm.yy` (or month first, as the column
  /// showed) or ISO as `YYYY-MM-DD HH:MM:SS`; "не закрыта" and empty as nothing; anything else
  /// unchanged (the reader then reports the row).
  ///
  /// Writes straight into `out`: it runs for every date of the file.
  @discardableResult
  static func appendTimestamp(
    _ value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], _ forms: inout UInt16, monthFirst: Bool = false
  ) -> OrderEvidence {
    if value.isEmpty || value.elementsEqual(notClosed) { return .none }
    func digit(_ i: Int) -> Bool { i < value.count && value[i] >= 48 && value[i] <= 57 }
    if value.count >= 10 && digit(0) && digit(3) && value[4] == UInt8(ascii: "-") {
      forms |= DateForm.iso
      out.append(contentsOf: value)
      return .none
    }
    // Day and month of one or two digits, then the year.
    var i = 0
    func number() -> Range<Int>? {
      let start = i
      while digit(i) { i += 1 }
      return i > start ? start..<i : nil
    }
    guard var day = number(), i < value.count, value[i] == UInt8(ascii: ".") || value[i] == UInt8(ascii: "/") else {
      out.append(contentsOf: value)
      return .none
    }
    let separator = value[i]
    i += 1
    guard var month = number(), i < value.count, value[i] == separator else {
      out.append(contentsOf: value)
      return .none
    }
    if monthFirst { swap(&day, &month) }
    i += 1
    guard let year = number(), day.count <= 2, month.count <= 2, year.count == 4 || year.count == 2 else {
      out.append(contentsOf: value)
      return .none
    }
    // The time, if any: HH:MM or HH:MM:SS after spaces; checked before anything is written.
    var timeStart = i
    while timeStart < value.count && value[timeStart] == 32 { timeStart += 1 }
    let time = timeStart..<value.count
    let colon = UInt8(ascii: ":")
    let shortTime = time.count == 5 && value[timeStart + 2] == colon
    let longTime = time.count == 8 && value[timeStart + 2] == colon && value[timeStart + 5] == colon
    guard time.isEmpty || shortTime || longTime else {
      out.append(contentsOf: value)
      return .none
    }
    forms |= DateForm.bit(dotted: separator == UInt8(ascii: "."), monthFirst: monthFirst, fullYear: year.count == 4)
    func number(_ range: Range<Int>) -> Int { value[range].reduce(0) { $0 * 10 + Int($1 - 48) } }
    let (dayNumber, monthNumber) = (number(day), number(month))
    let evidence: OrderEvidence =
      monthNumber > 12 && dayNumber <= 12 ? .contradicts : dayNumber > 12 && monthNumber <= 12 ? .agrees : .none
    if year.count == 2 { out.append(contentsOf: [50, 48]) }  // "20"
    out.append(contentsOf: UnsafeBufferPointer(rebasing: value[year]))
    out.append(UInt8(ascii: "-"))
    if month.count == 1 { out.append(48) }
    out.append(contentsOf: UnsafeBufferPointer(rebasing: value[month]))
    out.append(UInt8(ascii: "-"))
    if day.count == 1 { out.append(48) }
    out.append(contentsOf: UnsafeBufferPointer(rebasing: value[day]))
    out.append(32)
    if time.isEmpty {
      out.append(contentsOf: [48, 48, colon, 48, 48, colon, 48, 48])
    } else {
      out.append(contentsOf: UnsafeBufferPointer(rebasing: value[time]))
      if shortTime { out.append(contentsOf: [colon, 48, 48]) }
    }
    return evidence
  }

}

extension ExportConverter.Piece {
  /// Counts what a date said of the day-month order.
  mutating func count(_ evidence: ExportConverter.OrderEvidence, _ written: UnsafeBufferPointer<UInt8>, _ line: Int) {
    switch evidence {
    case .none: break
    case .agrees: agreeing += 1
    case .contradicts:
      contradicting += 1
      if firstContradicting == nil { firstContradicting = (line, String(decoding: written, as: UTF8.self)) }
    }
  }
}

/// The export's bytes, read (never written) by every worker while the caller holds them.
struct SharedBytes: @unchecked Sendable {
  let bytes: UnsafeBufferPointer<UInt8>
}

/// Converted segments, each written by one worker.
final class ConvertedParts: @unchecked Sendable {
  private let slots: Slots<ExportConverter.Piece>
  init(count: Int) { slots = Slots(count: count) }
  func set(_ index: Int, _ piece: ExportConverter.Piece) { slots[index] = piece }
  var values: [ExportConverter.Piece] { slots.values.compactMap { $0 } }
}
