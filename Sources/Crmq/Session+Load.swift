import CrmqCore
import CrmqImport
import CrmqSyntax

extension Session {
  /// `load 'file' [as table] [map …]`: reads the file into the table (deals by default), in place
  /// of the loaded one, and swaps the session's engine; the other sessions keep theirs.
  ///
  /// Returns the load report. The mapping is checked against the canonical columns before the file
  /// is opened, and against the file's header after.
  mutating func runLoad(_ load: LoadStatement, source: SourceFile) throws -> String {
    let tableName = load.table?.text.lowercased() ?? "deals"
    guard let schema = CanonicalSchema.all.first(where: { $0.table == tableName }) else {
      let known = CanonicalSchema.all.map(\.table)
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0510"), .error, "'\(load.table?.text ?? "")' is not a table crmq knows",
          span: load.table?.span,
          label: "not a table",
          help: [
            Suggestions.closest(to: tableName, in: known).first.map { "did you mean '\($0)'?" }
              ?? "a file loads as one of: " + known.joined(separator: ", ")
          ],
          source: source))
    }
    let format = try mapping(load, schema: schema, source: source)
    guard loadPolicy.permits(load.path.text) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0521"), .error, "this session does not load '\(load.path.text)'", span: load.path.span,
          label: "not allowed here",
          help: ["it loads \(loadPolicy.description) (crmq serve: --data and --allow-load DIR)"], source: source))
    }
    do {
      engine = try engine.loading(file: load.path.text, as: schema.table, format: format, sheet: load.sheet?.text)
    } catch let error as CrmqError {
      // Point the file's errors at the statement that named it.
      throw CrmqError(
        error.diagnostics.map {
          $0.span == nil
            ? Diagnostic(
              $0.code, $0.severity, $0.message, span: load.path.span, label: "this file", notes: $0.notes,
              help: $0.help, source: source) : $0
        })
    }
    var text = ""
    for report in engine.loadReports where report.table == schema.table {
      text += report.summary + "\n"
      for detail in report.details { text += "  " + detail + "\n" }
      if !report.warnings.isEmpty { text += DiagnosticRenderer().render(report.warnings) }
    }
    return text
  }

  /// The statement's mapping, checked: each target a column of the table, once; each status
  /// won, lost or open.
  func mapping(_ load: LoadStatement, schema: CanonicalSchema, source: SourceFile) throws -> DealsFormat {
    guard !load.columns.isEmpty || load.statusColumn != nil else { return .detect }
    let canonical = schema.columns.map(\.name)
    var columns: [String: String] = [:]
    var seen: [String: SourceSpan] = [:]
    for (target, column) in load.columns {
      let name = target.text.lowercased()
      guard canonical.contains(name) else {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0314"), .error, "'\(target.text)' is not a column of \(schema.table)", span: target.span,
            label: "not a \(schema.table) column",
            help: [
              Suggestions.closest(to: name, in: canonical).first.map { "did you mean '\($0)'?" }
                ?? "\(schema.table) has " + canonical.joined(separator: ", ")
            ],
            source: source))
      }
      if let first = seen[name] {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0314"), .error, "'\(name)' is mapped twice", span: target.span, label: "again",
            notes: [DiagnosticNote("first here", span: first)], source: source))
      }
      seen[name] = target.span
      columns[name] = column.text
    }
    var status: ColumnMapping.StatusRule?
    if let column = load.statusColumn {
      guard schema.table == "deals" else {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0314"), .error, "'status from' applies to deals", span: column.span,
            label: "\(schema.table) has no status",
            source: source))
      }
      var values: [(value: String, status: String)] = []
      for (value, word) in load.statusValues {
        let status = word.text.lowercased()
        guard ["won", "lost", "open"].contains(status) else {
          throw CrmqError(
            Diagnostic(
              DiagnosticCode("E0314"), .error, "a deal's status is won, lost or open, not '\(word.text)'",
              span: word.span,
              label: "not a status", help: ["'\(value.text)' = won"], source: source))
        }
        values.append((value.text, status))
      }
      status = ColumnMapping.StatusRule(column: column.text, values: values)
    }
    return .mapped(ColumnMapping(columns: columns, status: status))
  }
}
