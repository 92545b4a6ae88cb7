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

extension DealsFormat {
  /// The same text for the same format in every run (a mapping's columns sorted): part of a
  /// snapshot's key.
  public var stableDescription: String {
    switch self {
    case .detect: return "detect"
    case .canonical: return "canonical"
    case .dialect(let name): return "dialect \(name)"
    case .mapped(let mapping):
      var text =
        "map " + mapping.columns.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}")
      if let status = mapping.status {
        text +=
          "\u{2}status \(status.column)\u{1}"
          + status.values.map { "\($0.value)=\($0.status)" }.joined(separator: "\u{1}")
      }
      return text
    }
  }
}
