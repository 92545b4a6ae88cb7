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
  let source: SourceFile
  var table: TableSchema
  var segmentDepth = 0

  /// Binds a query; on failure the diagnostics say why.
  public static func bind(query: Query, schemas: SchemaProvider, context: BindContext, source: SourceFile) -> Result<BoundQuery, CrmqError> {
    do {
      let table = try chooseTable(query: query, schemas: schemas, context: context, source: source)
      var binder = Binder(schemas: schemas, context: context, source: source, table: table)
      return .success(try binder.bindQuery(query))
    } catch let failure as BindFailure {
      return .failure(CrmqError(failure.diagnostic.with(source: source)))
    } catch {
      return .failure(CrmqError(Diagnostic.bug("\(error)").with(source: source)))
    }
  }

  public static func bind(show: ShowStatement, schemas: SchemaProvider, context: BindContext, source: SourceFile) -> Result<BoundShow, CrmqError> {
    do {
      guard let table = schemas.schema(named: show.table.text) else {
        throw BindFailure(.unknownTable(show.table, known: schemas.tableSchemas.map(\.name)))
      }
      var binder = Binder(schemas: schemas, context: context, source: source, table: table)
      return .success(try binder.bindShow(show))
    } catch let failure as BindFailure {
      return .failure(CrmqError(failure.diagnostic.with(source: source)))
    } catch {
      return .failure(CrmqError(Diagnostic.bug("\(error)").with(source: source)))
    }
  }

  // MARK: - Choosing the table

  /// `of <table>`, or the table that has every column the query names (deals when several do).
  static func chooseTable(query: Query, schemas: SchemaProvider, context: BindContext, source: SourceFile) throws -> TableSchema {
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
      throw BindFailure(Diagnostic(DiagnosticCode("E0302"), .error, "no data is loaded", help: ["load a folder with --data DIR"]))
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
    var groups: [BoundGroup] = []
    var outputs: [BoundOutput] = []
    for dimension in query.dimensions {
      let expr = try bindDimension(dimension.expr)
      let name = dimension.alias?.text ?? outputName(dimension.expr)
      outputs.append(BoundOutput(name: name, expr: .groupRef(groups.count, expr.type), role: .dimension))
      groups.append(BoundGroup(name: name, expr: expr))
    }
    var aggregates: [BoundAggregate] = []
    for measure in query.measures {
      let expr = try bindMeasure(measure.expr, aggregates: &aggregates)
      outputs.append(BoundOutput(name: measure.alias?.text ?? outputName(measure.expr), expr: expr, role: .measure))
    }
    try checkDistinctNames(outputs, query: query)

    var filters: [BoundExpr] = []
    var notes: [String] = []
    if let predicate = query.predicate {
      filters.append(try bindPredicate(predicate))
    }
    var period: ResolvedPeriod?
    if let spec = query.period {
      let resolved = try resolvePeriod(spec)
      period = resolved
      filters.append(resolved.predicate)
      notes.append("period: \(resolved.description)")
    }
    var order: [BoundOrder] = []
    var limit = query.limit
    if let items = query.order {
      order = try items.map { try bindOrder($0, outputs: outputs) }
    } else if query.top != nil {
      let measures = outputs.indices.filter { outputs[$0].role == .measure }
      let dimensions = outputs.indices.filter { outputs[$0].role == .dimension }
      order = measures.map { BoundOrder(output: $0, descending: true) } + dimensions.map { BoundOrder(output: $0, descending: false) }
    } else {
      order = outputs.indices.filter { outputs[$0].role == .dimension }.map { BoundOrder(output: $0, descending: false) }
    }
    if let top = query.top { limit = min(limit ?? top, top) }
    if query.withTotal && groups.isEmpty {
      notes.append("with total: the query has no dimensions, so the single row is the total")
    }
    return BoundQuery(
      table: table.name, filter: BoundExpr.conjunction(filters), period: period, groups: groups, aggregates: aggregates,
      outputs: outputs, order: order, limit: limit, withTotal: query.withTotal && !groups.isEmpty, notes: notes)
  }

  func checkDistinctNames(_ outputs: [BoundOutput], query: Query) throws {
    var seen = Set<String>()
    let spans = query.dimensions.map { $0.alias?.span ?? $0.expr.span } + query.measures.map { $0.alias?.span ?? $0.expr.span }
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
        help: [Suggestions.closest(to: name, in: names).first.map { "did you mean '\($0)'?" }
          ?? "the result has " + Suggestions.list(names)]))
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
    return BoundShow(
      table: table.name, columns: table.columns.map { ($0.name, $0.type) }, filter: BoundExpr.conjunction(filters),
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
