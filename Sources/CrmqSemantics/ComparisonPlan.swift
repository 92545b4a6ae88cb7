import CrmqCore
import CrmqSyntax

/// The earlier range of a `compare`, and how far its time buckets move to meet the current ones
/// (by calendar months when both periods are whole months, else by days).
public struct ComparisonPlan: Sendable, Equatable {
  public var start: Int64
  public var end: Int64
  public var shiftMonths: Int
  public var shiftDays: Int64

  /// A bucket of the earlier period, moved onto the current period's calendar.
  public func shifted(_ grain: TimeGrain, _ key: Int64) -> Int64 {
    guard grain.isCalendar else { return key }
    let moved = shiftMonths != 0 ? CivilDate.adding(months: shiftMonths, to: key) : key + shiftDays
    // A week key is its first day, so it carries the calendar's first weekday along.
    return grain.bucket(ofDay: moved, weekStart: Weekday(ofDay: key))
  }

  public var description: String {
    "\(CivilDate.format(start)) – \(CivilDate.format(end - 1))"
  }
}

extension Binder {
  /// The comparison range of a query with `compare`, or the error that prevents it.
  public static func comparison(
    query: Query, schemas: SchemaProvider, context: BindContext, source: SourceFile
  ) -> Result<ComparisonPlan?, CrmqError> {
    guard let compare = query.compare else { return .success(nil) }
    do {
      let table = try chooseTable(query: query, schemas: schemas, context: context, source: source)
      let binder = Binder(schemas: schemas, context: context, originalSource: source, table: table)
      return .success(try binder.comparison(query, compare))
    } catch let failure as BindFailure {
      return .failure(CrmqError(failure.diagnostic.with(source: source)))
    } catch {
      return .failure(CrmqError(Diagnostic.bug("\(error)").with(source: source)))
    }
  }
}
