/// How a deals file is read: recognised from its header (the default), or as the user says —
/// `--dialect amocrm|bitrix24|canonical`, or a mapping in a `load` statement.
public enum DealsFormat: Sendable, Equatable {
  /// The canonical columns, or the CRM export the header shows.
  case detect
  /// The canonical columns, never converted.
  case canonical
  /// A CRM's export, whatever its header looks like: `amocrm` or `bitrix24`.
  case dialect(String)
  /// Any file, with the columns mapped as written.
  case mapped(ColumnMapping)

  /// `--dialect NAME`: amocrm, bitrix24 or canonical; nil for another name.
  public init?(dialectName: String) {
    switch dialectName.lowercased() {
    case "canonical": self = .canonical
    case let name where DealDialect.named(name) != nil: self = .dialect(name)
    default: return nil
    }
  }

  /// The names `--dialect` takes.
  public static let dialectNames = ["amocrm", "bitrix24", "canonical"]

  /// The dialect to convert with, for a header; nil to detect (or read canonical).
  func dialect(for header: [String]) -> DealDialect? {
    switch self {
    case .detect, .canonical: return nil
    case .dialect(let name): return DealDialect.named(name)
    case .mapped(let mapping): return DealDialect(mapping: mapping, header: header)
    }
  }
}
