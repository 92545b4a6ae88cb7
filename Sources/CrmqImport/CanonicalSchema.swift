import CrmqCore

/// The canonical CRM tables: file name, known columns with their types, and the main date.
///
/// Every listed column is required; any other column in the file is kept as an extra column,
/// typed by inference. README.md documents the same format.
public struct CanonicalSchema: Sendable {
  public struct KnownColumn: Sendable {
    public var name: String
    public var type: ValueKind
  }

  /// How a field's text is read.
  public enum ValueKind: Sendable, Hashable {
    case int, double, money, bool, date, timestamp, string
    /// `YYYY-MM`, stored as the month's first day.
    case month

    var dataType: DataType {
      switch self {
      case .int: return .int
      case .double: return .double
      case .money: return .money
      case .bool: return .bool
      case .date, .month: return .date
      case .timestamp: return .timestamp
      case .string: return .string
      }
    }

    /// What the field should look like, for messages.
    var expectation: String {
      switch self {
      case .int: return "a whole number"
      case .double: return "a number"
      case .money: return "a money amount with a dot and at most 2 decimals, like 15000.50"
      case .bool: return "true or false"
      case .date: return "a date YYYY-MM-DD"
      case .month: return "a month YYYY-MM"
      case .timestamp: return "a timestamp YYYY-MM-DD HH:MM:SS"
      case .string: return "text"
      }
    }
  }

  public var table: String
  public var columns: [KnownColumn]
  public var mainDate: String?
  public var required: Bool

  public var fileName: String { table + ".csv" }

  public static let all: [CanonicalSchema] = [deals, stages, stageHistory, calls, spend, plans]

  public static let deals = CanonicalSchema(
    table: "deals",
    columns: [
      .init(name: "id", type: .int), .init(name: "name", type: .string), .init(name: "pipeline", type: .string),
      .init(name: "stage", type: .string), .init(name: "status", type: .string), .init(name: "amount", type: .money),
      .init(name: "currency", type: .string), .init(name: "manager", type: .string),
      .init(name: "client_id", type: .int), .init(name: "client", type: .string), .init(name: "source", type: .string),
      .init(name: "loss_reason", type: .string), .init(name: "created_at", type: .timestamp),
      .init(name: "closed_at", type: .timestamp),
    ], mainDate: "created_at", required: true)

  public static let stages = CanonicalSchema(
    table: "stages",
    columns: [
      .init(name: "pipeline", type: .string), .init(name: "stage", type: .string),
      .init(name: "stage_order", type: .int), .init(name: "kind", type: .string),
    ], mainDate: nil, required: false)

  public static let stageHistory = CanonicalSchema(
    table: "stage_history",
    columns: [
      .init(name: "deal_id", type: .int), .init(name: "stage", type: .string),
      .init(name: "entered_at", type: .timestamp),
    ], mainDate: "entered_at", required: false)

  public static let calls = CanonicalSchema(
    table: "calls",
    columns: [
      .init(name: "id", type: .int), .init(name: "manager", type: .string), .init(name: "client_id", type: .int),
      .init(name: "direction", type: .string), .init(name: "started_at", type: .timestamp),
      .init(name: "duration_sec", type: .int), .init(name: "status", type: .string),
    ], mainDate: "started_at", required: false)

  public static let spend = CanonicalSchema(
    table: "spend",
    columns: [.init(name: "date", type: .date), .init(name: "source", type: .string), .init(name: "cost", type: .money)],
    mainDate: "date", required: false)

  public static let plans = CanonicalSchema(
    table: "plans",
    columns: [
      .init(name: "period", type: .month), .init(name: "manager", type: .string),
      .init(name: "target_amount", type: .money), .init(name: "target_count", type: .int),
    ], mainDate: "period", required: false)
}
