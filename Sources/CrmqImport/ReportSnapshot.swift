import CrmqCore

/// How the load reports are laid out in a snapshot, so a load from it says exactly what the load
/// from the files said: rows, rejections, extra columns, details, and each warning with the line
/// it quotes.
enum ReportSnapshot {
  static func write(_ report: LoadReport, to writer: inout SnapshotWriter) {
    writer.string(report.file)
    writer.string(report.table)
    writer.int(report.rows)
    writer.int(report.rejected)
    writer.int(report.bytes)
    writer.int(report.extraColumns.count)
    for extra in report.extraColumns {
      writer.string(extra.name)
      TableSnapshot.write(extra.type, to: &writer)
    }
    writer.int(report.details.count)
    for detail in report.details { writer.string(detail) }
    writer.int(report.warnings.count)
    for warning in report.warnings { write(warning, to: &writer) }
  }

  static func read(from reader: inout SnapshotReader) throws -> LoadReport {
    let file = try reader.string()
    let table = try reader.string()
    let (rows, rejected, bytes) = (try reader.int(), try reader.int(), try reader.int())
    var extra: [(name: String, type: DataType)] = []
    for _ in 0..<(try reader.int()) { extra.append((try reader.string(), try TableSnapshot.readType(&reader))) }
    var details: [String] = []
    for _ in 0..<(try reader.int()) { details.append(try reader.string()) }
    var warnings: [Diagnostic] = []
    for _ in 0..<(try reader.int()) { warnings.append(try read(diagnostic: &reader)) }
    var report = LoadReport(
      file: file, table: table, rows: rows, rejected: rejected, bytes: bytes, extraColumns: extra, warnings: warnings)
    report.details = details
    return report
  }

  static let severities: [Severity] = [.error, .warning, .note]

  static func write(_ diagnostic: Diagnostic, to writer: inout SnapshotWriter) {
    writer.string(diagnostic.code.rawValue)
    writer.u8(UInt8(severities.firstIndex(of: diagnostic.severity) ?? 0))
    writer.string(diagnostic.message)
    write(diagnostic.span, to: &writer)
    writer.optionalString(diagnostic.label)
    writer.int(diagnostic.notes.count)
    for note in diagnostic.notes {
      writer.string(note.message)
      write(note.span, to: &writer)
    }
    writer.int(diagnostic.help.count)
    for help in diagnostic.help { writer.string(help) }
    writer.bool(diagnostic.source != nil)
    if let source = diagnostic.source {
      writer.string(source.name)
      writer.string(source.text)
      writer.int(source.firstLine)
    }
  }

  static func read(diagnostic reader: inout SnapshotReader) throws -> Diagnostic {
    let code = DiagnosticCode(try reader.string())
    let severity = Int(try reader.u8())
    guard severity < severities.count else { throw SnapshotDamage("a severity numbered \(severity)") }
    let message = try reader.string()
    let span = try readSpan(&reader)
    let label = try reader.optionalString()
    var notes: [DiagnosticNote] = []
    for _ in 0..<(try reader.int()) { notes.append(DiagnosticNote(try reader.string(), span: try readSpan(&reader))) }
    var help: [String] = []
    for _ in 0..<(try reader.int()) { help.append(try reader.string()) }
    var source: SourceFile?
    if try reader.bool() {
      source = SourceFile(name: try reader.string(), text: try reader.string(), firstLine: try reader.int())
    }
    return Diagnostic(
      code, severities[severity], message, span: span, label: label, notes: notes, help: help, source: source)
  }

  static func write(_ span: SourceSpan?, to writer: inout SnapshotWriter) {
    writer.bool(span != nil)
    if let span {
      writer.int(span.start)
      writer.int(span.end)
    }
  }

  static func readSpan(_ reader: inout SnapshotReader) throws -> SourceSpan? {
    guard try reader.bool() else { return nil }
    let (start, end) = (try reader.int(), try reader.int())
    guard start <= end else { throw SnapshotDamage("a span \(start)..<\(end)") }
    return SourceSpan(start: start, end: end)
  }
}
