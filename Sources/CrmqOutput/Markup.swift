/// Text inside the markup of a workbook's XML parts and of an HTML page.
enum Markup {
  /// `text` with `&`, `<`, `>` and `"` written as entities, scalar by scalar.
  ///
  /// Without `keepingControls`, the control characters XML 1.0 does not allow are left out (tab
  /// and line breaks stay).
  static func escape(_ text: String, keepingControls: Bool = false) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default:
        if keepingControls || scalar.value >= 0x20 || scalar == "\t" || scalar == "\n" || scalar == "\r" {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}
