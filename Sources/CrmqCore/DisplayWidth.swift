/// Terminal cells a string takes: Cyrillic is one cell, CJK and most emoji two, combining marks none.
public enum DisplayWidth {
  /// Terminal cells the text takes: `of("Иван")` is 4, `of("日本")` is 4.
  public static func of(_ text: String) -> Int {
    var width = 0
    for scalar in text.unicodeScalars {
      width += of(scalar)
    }
    return width
  }

  /// Cells one scalar takes: 0 (combining), 1, or 2 (wide).
  public static func of(_ scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value < 0x20 || (value >= 0x7F && value < 0xA0) { return 0 }
    if value < 0x300 { return 1 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    if value == 0x200D || (0xFE00...0xFE0F).contains(value) { return 0 }
    if (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
      || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
      || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
      || (0xFFE0...0xFFE6).contains(value) || (0x1F300...0x1F64F).contains(value)
      || (0x1F900...0x1F9FF).contains(value) || (0x20000...0x3FFFD).contains(value)
    {
      return 2
    }
    return 1
  }
}
