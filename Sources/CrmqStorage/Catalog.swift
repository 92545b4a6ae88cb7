/// The loaded tables, in load order. An immutable snapshot: queries read it without locks (a
/// deferred column or index is read once, under its own lock).
public struct Catalog: Sendable {
  public private(set) var tables: [Table] = []
  private var historySlot: HistorySlot = .ready(nil)

  private enum HistorySlot: Sendable {
    case ready(DealHistoryIndex?)
    case deferred(Deferred<DealHistoryIndex?>)
  }

  public init(tables: [Table] = []) {
    self.tables = tables
  }

  /// Each deal's stage history rows, in the order entered (when both tables are loaded).
  public var history: DealHistoryIndex? {
    get {
      switch historySlot {
      case .ready(let index): return index
      case .deferred(let deferred): return deferred.value
      }
    }
    set { historySlot = .ready(newValue) }
  }

  /// The history index, read when first asked for (a snapshot's).
  public mutating func deferHistory(_ deferred: Deferred<DealHistoryIndex?>) { historySlot = .deferred(deferred) }

  public func table(named name: String) -> Table? {
    tables.first { $0.name == name } ?? tables.first { $0.name.lowercased() == name.lowercased() }
  }

  /// Adds a table, replacing one of the same name.
  public mutating func put(_ table: Table) {
    if let index = tables.firstIndex(where: { $0.name == table.name }) {
      tables[index] = table
    } else {
      tables.append(table)
    }
  }

  /// Why something deferred could not be read (a snapshot damaged after it was opened): an answer
  /// computed meanwhile must not be given.
  public var readFailure: String? {
    if let failure = tables.lazy.compactMap(\.readFailure).first { return failure }
    if case .deferred(let deferred) = historySlot { return deferred.failure }
    return nil
  }
}
