import CrmqCore
import CrmqImport

/// `crmq schema --target …`: the canonical tables as CREATE TABLE statements, with the types
/// crmq's values need to stay exact (docs/sql.md): money `numeric(18,2)`, timestamps without a
/// zone (crmq's times are the CRM's wall clock), ids `bigint`.
public enum CanonicalDDL {
  /// Every canonical table, one statement each, a blank line between.
  public static func statements(_ dialect: SQLDialect) -> [String] {
    CanonicalSchema.all.map { table(dialect, $0) }
  }

  static func table(_ dialect: SQLDialect, _ schema: CanonicalSchema) -> String {
    let columns = schema.columns.map { "  " + dialect.quote($0.name) + " " + type(dialect, $0.type) }
    switch dialect {
    case .postgres:
      return "CREATE TABLE \(dialect.quote(schema.table)) (\n" + columns.joined(separator: ",\n") + "\n);"
    case .clickhouse:
      return "CREATE TABLE \(dialect.quote(schema.table)) (\n" + columns.joined(separator: ",\n")
        + "\n) ENGINE = MergeTree ORDER BY tuple();"
    }
  }

  /// A column's type on the server.
  public static func type(_ dialect: SQLDialect, _ kind: CanonicalSchema.ValueKind) -> String {
    switch (dialect, kind) {
    case (.postgres, .int): return "bigint"
    case (.postgres, .double): return "double precision"
    case (.postgres, .money): return "numeric(18,2)"
    case (.postgres, .bool): return "boolean"
    case (.postgres, .date), (.postgres, .month): return "date"
    case (.postgres, .timestamp): return "timestamp without time zone"
    case (.postgres, .string): return "text"
    case (.clickhouse, .int): return "Nullable(Int64)"
    case (.clickhouse, .double): return "Nullable(Float64)"
    case (.clickhouse, .money): return "Nullable(Decimal(18, 2))"
    case (.clickhouse, .bool): return "Nullable(Bool)"
    case (.clickhouse, .date), (.clickhouse, .month): return "Nullable(Date32)"
    case (.clickhouse, .timestamp): return "Nullable(DateTime64(0, 'UTC'))"
    case (.clickhouse, .string): return "Nullable(String)"
    }
  }
}

extension CanonicalDDL {
  /// A column type on the server for a value type crmq loaded (a mapped or extra column of text
  /// is text there too).
  public static func type(_ dialect: SQLDialect, of type: DataType) -> String {
    switch type {
    case .int: return CanonicalDDL.type(dialect, .int)
    case .double, .ratio: return CanonicalDDL.type(dialect, .double)
    case .money: return CanonicalDDL.type(dialect, .money)
    case .bool: return CanonicalDDL.type(dialect, .bool)
    case .date: return CanonicalDDL.type(dialect, .date)
    case .timestamp: return CanonicalDDL.type(dialect, .timestamp)
    case .string, .bucket, .null: return CanonicalDDL.type(dialect, .string)
    }
  }
}
