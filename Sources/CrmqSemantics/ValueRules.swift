/// The rules for the values a statement computes, written once: the in-memory engine calls these,
/// and a backend that compiles a plan to SQL must give the same answers (docs/metrics.md).
///
/// - Division by zero is null: never infinity, never an error (`win_rate` of a manager with no
///   closed deals is null).
/// - Money divided by a count (an average check, a cost per lead) is money, rounded half away from
///   zero to the kopeck: 20.00 / 3 = 6.67, −20.00 / 3 = −6.67.
/// - An integer or money result beyond 64 bits (±9 223 372 036 854 775 807, or that many kopecks)
///   is error E0601: never null, never wrapped. Sums follow the same rule.
public enum ValueRules {
  /// `a + b`, nil beyond 64 bits.
  @inlinable public static func add(_ a: Int64, _ b: Int64) -> Int64? {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? nil : sum
  }

  /// `a - b`, nil beyond 64 bits.
  @inlinable public static func subtract(_ a: Int64, _ b: Int64) -> Int64? {
    let (difference, overflow) = a.subtractingReportingOverflow(b)
    return overflow ? nil : difference
  }

  /// `a × b`, nil beyond 64 bits.
  @inlinable public static func multiply(_ a: Int64, _ b: Int64) -> Int64? {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? nil : product
  }

  /// `-a`, nil for the one value whose negation is beyond 64 bits.
  @inlinable public static func negate(_ a: Int64) -> Int64? {
    a == Int64.min ? nil : -a
  }

  /// Kopecks divided by a count, rounded half away from zero; nil (null) for a count of 0.
  @inlinable public static func divide(kopecks: Int64, by count: Int64) -> Int64? {
    guard count != 0 else { return nil }
    if count == -1 { return negate(kopecks) }
    let quotient = kopecks / count
    let remainder = kopecks % count
    let away: Int64 = (kopecks < 0) != (count < 0) ? -1 : 1
    return quotient + (2 * remainder.magnitude >= count.magnitude ? away : 0)
  }

  /// `x / y` over numbers; nil (null) when `y` is 0.
  @inlinable public static func divide(_ x: Double, _ y: Double) -> Double? {
    y == 0 ? nil : x / y
  }

  /// What E0601 says of a result beyond its type's range.
  public static func overflowMessage(money: Bool) -> String {
    money
      ? "a money result is beyond ±92 233 720 368 547 758.07" : "an integer result is beyond ±9 223 372 036 854 775 807"
  }
}
