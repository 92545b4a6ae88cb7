import CrmqCore

/// A name as written: `deals`, `"Город"`.
public struct Name: Sendable, Equatable {
  public var text: String
  public var span: SourceSpan
  public init(_ text: String, _ span: SourceSpan) {
    self.text = text
    self.span = span
  }
}

/// `sum(amount) as total`.
public struct Measure: Sendable, Equatable {
  public var expr: Expr
  public var alias: Name?
}

/// `month(closed_at)`, `manager`.
public struct Dimension: Sendable, Equatable {
  public var expr: Expr
  public var alias: Name?
}

public struct OrderItem: Sendable, Equatable {
  public var expr: Expr
  public var descending: Bool
}

/// What `period` names, before today is known.
public enum PeriodSpec: Sendable, Equatable {
  /// `2026-09`, `2026-Q3`, `2026`, `2026-09-15`.
  case literal(PeriodLiteral)
  /// `2026-09-01..2026-09-15`: both ends included.
  case range(PeriodLiteral, PeriodLiteral)
  /// `month`: the current one, to date.
  case current(TimeGrain)
  /// `last month`, `last 30 days`: complete grains before the current one.
  case last(count: Int, grain: TimeGrain)
}

public struct Period: Sendable, Equatable {
  public var spec: PeriodSpec
  public var span: SourceSpan
}

/// What `compare` sets the period against.
public enum CompareSpec: Sendable, Equatable {
  /// The preceding period of the same length (cut to the same elapsed days while one is under way).
  case previous
  /// The same period a year earlier.
  case year
  /// An explicit period.
  case period(Period)
}

public struct Compare: Sendable, Equatable {
  public var spec: CompareSpec
  public var span: SourceSpan
}

/// A report: measures and the clauses that shape them.
public struct Query: Sendable, Equatable {
  public var measures: [Measure] = []
  public var table: Name?
  public var dimensions: [Dimension] = []
  public var predicate: Expr?
  public var period: Period?
  public var order: [OrderItem]?
  public var top: Int?
  public var limit: Int?
  public var withTotal = false
  public var compare: Compare?
  public var span: SourceSpan

  public init(span: SourceSpan) {
    self.span = span
  }
}

/// `show deals [columns name, amount] where … order by … limit 10`.
public struct ShowStatement: Sendable, Equatable {
  public var table: Name
  /// `columns a, b`: the columns listed, in this order (all of the table's without it).
  public var columns: [Name]?
  public var predicate: Expr?
  public var period: Period?
  public var order: [OrderItem]?
  public var limit: Int?
}

/// `funnel [classic] [by …] [where …] [period …] [compare …]`.
public struct Funnel: Sendable, Equatable {
  /// Count a deal only at the stages its history has (Bitrix24's classic funnel).
  public var classic = false
  public var dimensions: [Dimension] = []
  public var predicate: Expr?
  public var period: Period?
  public var compare: Compare?
  public var span: SourceSpan
}

public indirect enum StatementKind: Sendable, Equatable {
  case query(Query)
  case funnel(Funnel)
  case show(ShowStatement)
  case tables
  case describe(Name)
  case explain(Statement)
  /// `explain sql …`: the SQL the statement compiles to, for PostgreSQL.
  case explainSQL(Statement)
  /// `let big = amount > 100k`: a named segment for `where`.
  case letSegment(Name, Expr)
  /// `set today = 2026-09-30`.
  case set(Name, Expr)
  /// `stages 'Продажи': 'Новая заявка', …, 'Успешно реализовано'`: a pipeline's stage order,
  /// the won stage last.
  case stages(pipeline: Name, stages: [Name])
  /// `load 'opportunities.csv' as deals map manager = owner, status from phase ('Won' = won)`.
  case load(LoadStatement)
}

/// `load <file> [as <table>] [map <target> = <column>, …, status from <column> (<value> = <status>, …)]`.
public struct LoadStatement: Sendable, Equatable {
  public var path: Name
  /// The table the file becomes; deals when not given.
  public var table: Name?
  /// `sheet 'Сделки'`: the sheet of an XLSX workbook.
  public var sheet: Name?
  /// Canonical column ← the file's column.
  public var columns: [(target: Name, source: Name)]
  /// `status from <column> (…)`.
  public var statusColumn: Name?
  public var statusValues: [(value: Name, status: Name)]

  public init(path: Name) {
    self.path = path
    self.table = nil
    self.sheet = nil
    self.columns = []
    self.statusColumn = nil
    self.statusValues = []
  }

  public static func == (a: LoadStatement, b: LoadStatement) -> Bool {
    a.path == b.path && a.table == b.table && a.sheet == b.sheet && a.statusColumn == b.statusColumn
      && a.columns.map(\.target) == b.columns.map(\.target) && a.columns.map(\.source) == b.columns.map(\.source)
      && a.statusValues.map(\.value) == b.statusValues.map(\.value)
      && a.statusValues.map(\.status) == b.statusValues.map(\.status)
  }
}

public struct Statement: Sendable, Equatable {
  public var kind: StatementKind
  public var span: SourceSpan
  public init(_ kind: StatementKind, _ span: SourceSpan) {
    self.kind = kind
    self.span = span
  }
}

/// One statement of a script: parsed, or the diagnostics that stopped it.
public struct ParsedStatement: Sendable, Equatable {
  public var statement: Statement?
  public var diagnostics: [Diagnostic]
  public var span: SourceSpan
}
