import CrmqCore
import CrmqSyntax

/// A funnel, bound: which deals (created in the period, meeting `where`), grouped how.
public struct BoundFunnel: Sendable, Equatable {
  public var classic: Bool
  public var groups: [BoundGroup]
  public var filter: BoundExpr?
  public var period: ResolvedPeriod?
  public var notes: [String]
}

extension Binder {
  /// Binds a funnel over deals: dimensions and `where` on deals, `period` on created_at.
  public static func bind(funnel: Funnel, schemas: SchemaProvider, context: BindContext, source: SourceFile) -> Result<BoundFunnel, CrmqError> {
    do {
      guard let deals = schemas.schema(named: "deals") else {
        throw BindFailure(Diagnostic(DiagnosticCode("E0302"), .error, "a funnel needs deals.csv, which is not loaded", span: funnel.span))
      }
      if funnel.classic && schemas.schema(named: "stage_history") == nil {
        throw BindFailure(
          Diagnostic(
            DiagnosticCode("E0311"), .error, "a classic funnel needs stage_history.csv, which is not loaded", span: funnel.span,
            label: "classic counts the stages each deal entered",
            help: ["add stage_history.csv (deal_id, stage, entered_at), or use the conversion funnel: funnel"]))
      }
      var binder = Binder(schemas: schemas, context: context, originalSource: source, table: deals)
      var groups: [BoundGroup] = []
      for dimension in funnel.dimensions {
        let name = dimension.alias?.text ?? binder.outputName(dimension.expr)
        if ["pipeline", "stage", "deals", "step_conversion", "total_conversion", "skipped"].contains(name.lowercased()) {
          throw BindFailure(
            Diagnostic(
              DiagnosticCode("E0306"), .error, "a funnel already has a column '\(name)'", span: dimension.expr.span,
              label: "always there", help: ["a funnel is always split by pipeline and stage"]))
        }
        groups.append(BoundGroup(name: name, expr: try binder.bindDimension(dimension.expr)))
      }
      var filters: [BoundExpr] = []
      if let predicate = funnel.predicate { filters.append(try binder.bindPredicate(predicate)) }
      var period: ResolvedPeriod?
      var notes: [String] = []
      if let override = context.periodOverride {
        let column = try binder.periodColumn(funnel.span)
        period = ResolvedPeriod(column: column.name, columnType: column.type, start: override.start, end: override.end)
      } else if let spec = funnel.period {
        period = try binder.resolvePeriod(spec)
      }
      if let period {
        filters.append(period.predicate)
        notes.append("period: \(period.description)")
      }
      return .success(
        BoundFunnel(classic: funnel.classic, groups: groups, filter: BoundExpr.conjunction(filters), period: period, notes: notes))
    } catch let failure as BindFailure {
      return .failure(CrmqError(failure.diagnostic.with(source: source)))
    } catch {
      return .failure(CrmqError(Diagnostic.bug("\(error)").with(source: source)))
    }
  }

  /// The comparison range of a funnel with `compare`.
  public static func comparison(
    funnel: Funnel, schemas: SchemaProvider, context: BindContext, source: SourceFile
  ) -> Result<ComparisonPlan?, CrmqError> {
    guard let compare = funnel.compare else { return .success(nil) }
    var query = Query(span: funnel.span)
    query.table = Name("deals", funnel.span)
    query.period = funnel.period
    query.compare = compare
    return comparison(query: query, schemas: schemas, context: context, source: source)
  }
}
