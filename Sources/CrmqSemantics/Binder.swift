import CrmqCore
import CrmqSyntax

/// Resolves the names of a parsed statement against the loaded tables and checks its types.
///
/// The binder decides which table a query reads (`of`, or the one whose columns it names, deals
/// first), turns measures into aggregates and dimensions into group keys, folds `let` segments
/// and the `period` into the filter, and names every output column.
public struct Binder {
  let schemas: SchemaProvider
  let context: BindContext
  /// The text spans point into; a built-in formula binds with its own text.
  var sourceCopy: SourceFile?
  var source: SourceFile {
    get { sourceCopy ?? originalSource }
  }
  let originalSource: SourceFile
  var table: TableSchema
  var segmentDepth = 0
  /// The date bare grains and `period` use here, when not the table's main date (a measure's anchor).
  var anchor: String?
  /// Built-in definitions name values that need not exist in this data (`status = 'won'`).
  var checkValues = true
  /// The sources measures have been bound to so far, and how many aggregates in all.
  var sourceBuilders: [SourceBuilder] = []
  var aggregateCount = 0

  /// Binds a query; on failure the diagnostics say why.
  public static func bind(query: Query, schemas: SchemaProvider, context: BindContext, source: SourceFile) -> Result<
    BoundQuery, CrmqError
  > {
    do {
      let table = try chooseTable(query: query, schemas: schemas, context: context, source: source)
      var binder = Binder(schemas: schemas, context: context, originalSource: source, table: table)
      return .success(try binder.bindQuery(query))
    } catch let failure as BindFailure {
      return .failure(CrmqError(failure.diagnostic.with(source: source)))
    } catch {
      return .failure(CrmqError(Diagnostic.bug("\(error)").with(source: source)))
    }
  }

  public static func bind(show: ShowStatement, schemas: SchemaProvider, context: BindContext, source: SourceFile)
    -> Result<BoundShow, CrmqError>
  {
    do {
      guard let table = schemas.schema(named: show.table.text) else {
        throw BindFailure(.unknownTable(show.table, known: schemas.tableSchemas.map(\.name)))
      }
      var binder = Binder(schemas: schemas, context: context, originalSource: source, table: table)
      return .success(try binder.bindShow(show))
    } catch let failure as BindFailure {
      return .failure(CrmqError(failure.diagnostic.with(source: source)))
    } catch {
      return .failure(CrmqError(Diagnostic.bug("\(error)").with(source: source)))
    }
  }

  // MARK: - Choosing the table

  /// `of <table>`, or the table that has every column the query names (deals when several do).
  static func chooseTable(query: Query, schemas: SchemaProvider, context: BindContext, source: SourceFile) throws
    -> TableSchema
  {
    if let name = query.table {
      guard let table = schemas.schema(named: name.text) else {
        throw BindFailure(.unknownTable(name, known: schemas.tableSchemas.map(\.name)))
      }
      return table
    }
    var names = Set<String>()
    var exprs = query.measures.map(\.expr) + query.dimensions.map(\.expr)
    if let predicate = query.predicate { exprs.append(predicate) }
    for expr in exprs { collectNames(expr, into: &names, context: context, top: true) }
    let tables = schemas.tableSchemas
    guard let fallback = tables.first(where: { $0.name == "deals" }) ?? tables.first else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0302"), .error, "no tables to ask",
          help: ["load a folder with --data DIR; with --connect, put the tables on the server with crmq push"]))
    }
    if names.isEmpty { return fallback }
    let candidates = tables.filter { table in names.allSatisfy { table.column(named: $0) != nil } }
    return candidates.first(where: { $0.name == "deals" }) ?? candidates.first ?? fallback
  }

  /// Names that must be columns: call arguments and bare names that are not grains or segments.
  static func collectNames(_ expr: Expr, into names: inout Set<String>, context: BindContext, top: Bool) {
    switch expr.kind {
    case .name(let name, let quoted):
      if !quoted && TimeGrain(rawValue: name.lowercased()) != nil { return }
      if context.segments[name] != nil { return }
      if top && !quoted && name.lowercased() == "count" { return }
      if top && !quoted && SemanticModel.measure(named: name) != nil { return }
      names.insert(name)
    case .call(_, _, let arguments, _, _):
      for argument in arguments { collectNames(argument, into: &names, context: context, top: false) }
    case .unary(_, let e), .isNull(let e, _):
      collectNames(e, into: &names, context: context, top: top)
    case .binary(_, let l, let r), .contains(let l, let r, _), .startsWith(let l, let r, _):
      collectNames(l, into: &names, context: context, top: top)
      collectNames(r, into: &names, context: context, top: top)
    case .inList(let e, let items, _):
      collectNames(e, into: &names, context: context, top: top)
      for item in items { collectNames(item, into: &names, context: context, top: top) }
    case .between(let e, let low, let high, _):
      for item in [e, low, high] { collectNames(item, into: &names, context: context, top: top) }
    default:
      break
    }
  }

  // MARK: - Queries

  mutating func bindQuery(_ query: Query) throws -> BoundQuery {
    var outputs: [BoundOutput] = []
    var measureOutputs: [BoundOutput] = []
    for measure in query.measures {
      let expr = try bindMeasure(measure.expr)
      // A built-in measure named alone keeps its unit (`cycle`: days); arithmetic on it does not.
      let named = outputName(measure.expr)
      let unit = SemanticModel.measure(named: named).flatMap { $0.name == named.lowercased() ? $0.unit : nil }
      measureOutputs.append(
        BoundOutput(name: measure.alias?.text ?? named, expr: expr, role: .measure, unit: unit))
    }
    if sourceBuilders.isEmpty {
      sourceBuilders.append(SourceBuilder(table: table, anchor: table.mainDate))
    }
    let period = try context.periodOverride.map { ($0.start, $0.end) } ?? query.period.map { try range($0) }
    var sources: [MeasureSource] = []
    for builder in sourceBuilders {
      sources.append(try bindSource(builder, query: query, period: period))
    }
    let dimensionNames = query.dimensions.map { $0.alias?.text ?? outputName($0.expr) }
    for (index, name) in dimensionNames.enumerated() {
      outputs.append(
        BoundOutput(name: name, expr: .groupRef(index, sources[0].groups[index].expr.type), role: .dimension))
    }
    outputs += measureOutputs
    try checkDistinctNames(outputs, query: query)

    var notes: [String] = []
    let periods = sources.compactMap(\.period)
    if let first = periods.first {
      if Set(periods.map(\.column)).count == 1 && Set(sources.map(\.table)).count == 1 {
        notes.append("period: \(first.description)")
      } else {
        let anchors = sources.map { source in
          "\(source.table).\(source.period?.column ?? "-") for \(source.measureNames.joined(separator: ", "))"
        }
        notes.append(
          "period: \(CivilDate.format(first.start)) – \(CivilDate.format(first.end - 1)) (by \(anchors.joined(separator: "; ")))"
        )
      }
    }
    var order: [BoundOrder] = []
    var limit = query.limit
    if let items = query.order {
      order = try items.map { try bindOrder($0, outputs: outputs) }
      // Ties break on the dimensions not ordered by, so the order is total: every backend gives
      // the rows in the same order, none by position.
      for index in outputs.indices
      where outputs[index].role == .dimension && !order.contains(where: { $0.output == index }) {
        order.append(BoundOrder(output: index, descending: false))
      }
    } else if query.top != nil {
      let measures = outputs.indices.filter { outputs[$0].role == .measure }
      let dimensions = outputs.indices.filter { outputs[$0].role == .dimension }
      order =
        measures.map { BoundOrder(output: $0, descending: true) }
        + dimensions.map { BoundOrder(output: $0, descending: false) }
    } else {
      order = outputs.indices.filter { outputs[$0].role == .dimension }.map {
        BoundOrder(output: $0, descending: false)
      }
    }
    if let top = query.top { limit = min(limit ?? top, top) }
    let groups = query.dimensions.count
    if query.withTotal && groups == 0 {
      notes.append("with total: the query has no dimensions, so the single row is the total")
    }
    return BoundQuery(
      sources: sources, outputs: outputs, order: order, limit: limit, withTotal: query.withTotal && groups > 0,
      notes: notes)
  }

  /// Binds the dimensions, `where` and `period` of the query in one source's table and date.
  func bindSource(_ builder: SourceBuilder, query: Query, period: (Int64, Int64)?) throws -> MeasureSource {
    var binder = Binder(schemas: schemas, context: context, originalSource: source, table: builder.table)
    binder.anchor = builder.anchor
    let measures = builder.names.isEmpty ? "" : builder.names.joined(separator: ", ")
    func explain(_ failure: BindFailure) -> BindFailure {
      guard builder.table.name != table.name || builder.anchor != (anchor ?? table.mainDate) else { return failure }
      var diagnostic = failure.diagnostic
      let verb = builder.names.count == 1 ? "is" : "are"
      diagnostic.notes.append(
        DiagnosticNote("\(measures.isEmpty ? "the measures" : measures) \(verb) computed from \(builder.table.name)"))
      // A misspelt name keeps its did-you-mean (`won by manger`); a column this measure's table
      // lacks gets the way out.
      if diagnostic.code == DiagnosticCode("E0301"), !diagnostic.help.contains(where: { $0.hasPrefix("did you mean") })
      {
        diagnostic.help = [
          "every measure's table needs the columns of 'by' and 'where'; query \(builder.table.name)'s measures separately"
        ]
      }
      return BindFailure(diagnostic)
    }
    do {
      var groups: [BoundGroup] = []
      for dimension in query.dimensions {
        let name = dimension.alias?.text ?? outputName(dimension.expr)
        groups.append(BoundGroup(name: name, expr: try binder.bindDimension(dimension.expr)))
      }
      var filters: [BoundExpr] = []
      if let predicate = query.predicate { filters.append(try binder.bindPredicate(predicate)) }
      var resolved: ResolvedPeriod?
      if let period, let spec = query.period {
        let column = try binder.periodColumn(spec.span)
        resolved = ResolvedPeriod(column: column.name, columnType: column.type, start: period.0, end: period.1)
        filters.append(resolved?.predicate ?? .literal(.bool(true), .bool))
      }
      if resolved == nil, let anchor = builder.anchor, anchor != builder.table.mainDate,
        let column = builder.table.column(named: anchor)
      {
        filters.append(.isNull(.column(column.name, column.type), negated: true))
      }
      return MeasureSource(
        table: builder.table.name, anchor: builder.anchor, filter: BoundExpr.conjunction(filters), period: resolved,
        groups: groups, aggregates: builder.aggregates, slots: builder.slots, fills: builder.fills,
        measureNames: builder.names)
    } catch let failure as BindFailure {
      throw explain(failure)
    }
  }

  func checkDistinctNames(_ outputs: [BoundOutput], query: Query) throws {
    var seen = Set<String>()
    let spans =
      query.dimensions.map { $0.alias?.span ?? $0.expr.span } + query.measures.map { $0.alias?.span ?? $0.expr.span }
    for (index, output) in outputs.enumerated() {
      if !seen.insert(output.name.lowercased()).inserted {
        throw BindFailure(
          Diagnostic(
            DiagnosticCode("E0306"), .error, "two result columns are named '\(output.name)'", span: spans[index],
            label: "a second '\(output.name)'", help: ["name one of them with 'as': sum(amount) as total"]))
      }
    }
  }

  func bindOrder(_ item: OrderItem, outputs: [BoundOutput]) throws -> BoundOrder {
    let text = sourceText(item.expr).lowercased()
    var name = text
    if case .name(let n, _) = item.expr.kind { name = n.lowercased() }
    if let index = outputs.firstIndex(where: { $0.name.lowercased() == name || $0.name.lowercased() == text }) {
      return BoundOrder(output: index, descending: item.descending)
    }
    let names = outputs.map(\.name)
    throw BindFailure(
      Diagnostic(
        DiagnosticCode("E0301"), .error, "cannot order by '\(sourceText(item.expr))': it is not a column of the result",
        span: item.expr.span, label: "not in the result",
        help: [
          Suggestions.closest(to: name, in: names).first.map { "did you mean '\($0)'?" }
            ?? "the result has " + Suggestions.list(names)
        ]))
  }

  // MARK: - Show

  mutating func bindShow(_ show: ShowStatement) throws -> BoundShow {
    var filters: [BoundExpr] = []
    var notes: [String] = []
    if let predicate = show.predicate { filters.append(try bindPredicate(predicate)) }
    var period: ResolvedPeriod?
    if let spec = show.period {
      let resolved = try resolvePeriod(spec)
      period = resolved
      filters.append(resolved.predicate)
      notes.append("period: \(resolved.description)")
    }
    let order = try (show.order ?? []).map { item -> (expr: BoundExpr, descending: Bool) in
      (try bindRow(item.expr), item.descending)
    }
    // The columns asked for, in that order (each once), or the table's.
    var columns = table.columns.map { ($0.name, $0.type) }
    if let names = show.columns {
      columns = []
      for name in names {
        guard let column = table.columns.first(where: { $0.name.lowercased() == name.text.lowercased() }) else {
          throw BindFailure(unknownColumn(name.text, span: name.span))
        }
        if !columns.contains(where: { $0.0 == column.name }) { columns.append((column.name, column.type)) }
      }
    }
    return BoundShow(
      table: table.name, columns: columns, filter: BoundExpr.conjunction(filters),
      period: period, order: order, limit: show.limit, notes: notes)
  }

  /// A result column's default name: a bare name as the name itself (no quotes), otherwise the text.
  func outputName(_ expr: Expr) -> String {
    if case .name(let name, _) = expr.kind { return name }
    return sourceText(expr)
  }

  func sourceText(_ expr: Expr) -> String {
    source.text(of: expr.span)
  }
}
