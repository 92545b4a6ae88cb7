import CrmqCore
import CrmqSyntax

/// Row expressions: what `where`, `by` and aggregate arguments are made of.
extension Binder {
  static let aggregateNames: [String: AggregateFunction] = [
    "count": .count, "sum": .sum, "avg": .avg, "min": .min, "max": .max, "median": .median,
  ]

  mutating func bindPredicate(_ expr: Expr) throws -> BoundExpr {
    let bound = try bindRow(expr)
    guard bound.type == .bool || bound.type == .null else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0401"), .error, "'where' needs a condition, found \(bound.type)", span: expr.span,
          label: "a \(bound.type) value, not true or false", help: ["compare it: amount > 50000, source = 'Сайт'"]))
    }
    return bound
  }

  mutating func bindDimension(_ expr: Expr) throws -> BoundExpr {
    if case .name(let name, false) = expr.kind, table.column(named: name) == nil,
      let grain = TimeGrain(rawValue: name.lowercased())
    {
      return .bucket(grain, try mainDateColumn(expr.span, grain: grain.rawValue), weekStart: context.firstWeekday)
    }
    return try bindRow(expr)
  }

  /// The table's main date, for a bare `month` or a `period`.
  func mainDateColumn(_ span: SourceSpan, grain: String) throws -> BoundExpr {
    guard let name = anchor ?? table.mainDate, let column = table.column(named: name) else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0305"), .error, "'\(table.name)' has no main date for '\(grain)'", span: span,
          label: "which date?", help: ["name the date column: \(grain)(<column>)"]))
    }
    return .column(column.name, column.type)
  }

  mutating func bindRow(_ expr: Expr) throws -> BoundExpr {
    switch expr.kind {
    case .number(let literal):
      return literal.isInteger
        ? .literal(.int(literal.mantissa), .int) : .literal(.double(literal.doubleValue), .double)
    case .string(let text):
      return .literal(.string(text), .string)
    case .period(let literal):
      if case .day(let days) = literal { return .literal(.date(days), .date) }
      return .literal(.date(literal.start), .date)
    case .timestamp(let seconds):
      return .literal(.timestamp(seconds), .timestamp)
    case .bool(let value):
      return .literal(.bool(value), .bool)
    case .null:
      return .literal(.null, .null)
    case .parameter(let name):
      let value = try parameterValue(name, expr.span)
      return .literal(value, value.type)
    case .name(let name, let quoted):
      if let column = table.column(named: name) { return .column(column.name, column.type) }
      if !quoted, let segment = context.segments[name] { return try bindSegment(segment, at: expr.span) }
      if !quoted, let grain = TimeGrain(rawValue: name.lowercased()) {
        return .bucket(grain, try mainDateColumn(expr.span, grain: grain.rawValue), weekStart: context.firstWeekday)
      }
      throw BindFailure(unknownColumn(name, span: expr.span))
    case .call(let name, let nameSpan, let arguments, _, _):
      if name.lowercased() == "days_between" {
        guard arguments.count == 2 else {
          throw BindFailure(
            Diagnostic(
              DiagnosticCode("E0401"), .error, "days_between(…) takes two dates", span: expr.span,
              label: "\(arguments.count) arguments", help: ["days_between(created_at, closed_at)"]))
        }
        let from = try bindRow(arguments[0])
        let to = try bindRow(arguments[1])
        for (bound, argument) in [(from, arguments[0]), (to, arguments[1])] where !bound.type.isTemporal {
          throw BindFailure(
            .typeMismatch("days_between(…) needs dates or timestamps", found: bound.type, span: argument.span))
        }
        return .daysBetween(from, to)
      }
      if let grain = TimeGrain(rawValue: name.lowercased()) {
        guard arguments.count == 1 else {
          throw BindFailure(
            Diagnostic(
              DiagnosticCode("E0401"), .error, "\(grain.rawValue)(…) takes one date column", span: expr.span,
              label: "\(arguments.count) arguments", help: ["\(grain.rawValue)(closed_at)"]))
        }
        let inner = try bindRow(arguments[0])
        guard inner.type.isTemporal else {
          throw BindFailure(
            .typeMismatch(
              "\(grain.rawValue)(…) needs a date or a timestamp", found: inner.type, span: arguments[0].span))
        }
        if grain == .hour && inner.type == .date {
          throw BindFailure(.typeMismatch("hour(…) needs a timestamp", found: .date, span: arguments[0].span))
        }
        return .bucket(grain, inner, weekStart: context.firstWeekday)
      }
      if Binder.aggregateNames[name.lowercased()] != nil {
        throw BindFailure(
          Diagnostic(
            DiagnosticCode("E0402"), .error, "\(name)(…) is a measure and cannot be used here", span: expr.span,
            label: "aggregates belong before 'by'", help: ["filter rows with plain columns: where amount > 50000"]))
      }
      throw BindFailure(unknownFunction(name, span: nameSpan))
    case .unary(.negate, let operand):
      let inner = try bindRow(operand)
      guard inner.type.isNumeric else {
        throw BindFailure(.typeMismatch("'-' needs a number", found: inner.type, span: operand.span))
      }
      if case .literal(.int(let v), _) = inner { return .literal(.int(-v), .int) }
      if case .literal(.double(let v), _) = inner { return .literal(.double(-v), .double) }
      return .negate(inner)
    case .unary(.not, let operand):
      return .not(try bindPredicate(operand))
    case .binary(let op, let left, let right):
      switch op {
      case .and, .or:
        let l = try bindPredicate(left)
        let r = try bindPredicate(right)
        return op == .and ? .and(l.conjuncts + r.conjuncts) : .or([l, r])
      case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
        return try bindComparison(op, left, right)
      case .add, .subtract, .multiply, .divide:
        let l = try bindRow(left)
        let r = try bindRow(right)
        return try arithmetic(op, l, r, span: expr.span, leftSpan: left.span, rightSpan: right.span)
      }
    case .inList(let target, let items, let negated):
      let bound = try bindRow(target)
      var values: [Value] = []
      for item in items {
        let literal = try coerce(item, to: bound.type, against: target)
        if case .literal(let value, _) = literal {
          values.append(value)
        } else {
          throw BindFailure(
            Diagnostic(
              DiagnosticCode("E0401"), .error, "'in' takes a list of values", span: item.span, label: "not a value"))
        }
        try checkValueExists(bound, literal, at: item.span)
      }
      return .inList(bound, values, negated: negated)
    case .between(let target, let low, let high, let negated):
      let bound = try bindRow(target)
      let lo = try coerce(low, to: bound.type, against: target)
      let hi = try coerce(high, to: bound.type, against: target)
      if negated { return .or([.compare(.less, bound, lo), .compare(.greater, bound, hi)]) }
      return .and([.compare(.greaterEqual, bound, lo), .compare(.lessEqual, bound, hi)])
    case .isNull(let target, let negated):
      return .isNull(try bindRow(target), negated: negated)
    case .contains(let target, let pattern, let negated), .startsWith(let target, let pattern, let negated):
      let bound = try bindRow(target)
      guard bound.type == .string else {
        throw BindFailure(.typeMismatch("'contains' and 'starts with' need text", found: bound.type, span: target.span))
      }
      guard case .string(let text) = pattern.kind else {
        throw BindFailure(
          Diagnostic(
            DiagnosticCode("E0401"), .error, "expected a text in quotes", span: pattern.span, label: "not a text",
            help: ["contains 'Москва'"]))
      }
      if case .contains = expr.kind { return .contains(bound, text.lowercased(), negated: negated) }
      return .startsWith(bound, text.lowercased(), negated: negated)
    }
  }

  /// A segment's predicate, bound in this query's table; its errors point at the use.
  mutating func bindSegment(_ segment: Segment, at span: SourceSpan) throws -> BoundExpr {
    guard segmentDepth < 16 else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0307"), .error, "segment '\(segment.name)' refers to itself", span: span, label: "endless"))
    }
    var inner = Binder(
      schemas: schemas, context: context, originalSource: segment.source, table: table, segmentDepth: segmentDepth + 1)
    do {
      return try inner.bindPredicate(segment.expr)
    } catch let failure as BindFailure {
      var diagnostic = failure.diagnostic
      diagnostic.message =
        "in segment '\(segment.name)' (\(segment.source.text(of: segment.expr.span))): " + diagnostic.message
      diagnostic.span = span
      diagnostic.label = "used here"
      throw BindFailure(diagnostic)
    }
  }

  static func flipped(_ op: BinaryOperator) -> BinaryOperator {
    switch op {
    case .less: return .greater
    case .lessEqual: return .greaterEqual
    case .greater: return .less
    case .greaterEqual: return .lessEqual
    default: return op
    }
  }

  static func isLiteral(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .number, .string, .period, .timestamp, .bool, .null: return true
    case .unary(.negate, let inner): return isLiteral(inner)
    default: return false
    }
  }

  mutating func bindComparison(_ op: BinaryOperator, _ left: Expr, _ right: Expr) throws -> BoundExpr {
    var op = op
    var (l, r) = (left, right)
    if Binder.isLiteral(l) && !Binder.isLiteral(r) {
      swap(&l, &r)
      op = Binder.flipped(op)
    }
    let bound = try bindRow(l)
    let other = try coerce(r, to: bound.type, against: l)
    if case .literal(.null, _) = other {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0401"), .error, "comparing with null is never true", span: r.span, label: "null",
          help: ["write '\(source.text(of: l.span)) is null' or 'is not null'"]))
    }
    if op == .equal || op == .notEqual { try checkValueExists(bound, other, at: r.span) }
    return .compare(op, bound, other)
  }

  /// `r` as a value of `type`: literals are converted, other expressions must already fit.
  mutating func coerce(_ expr: Expr, to type: DataType, against other: Expr) throws -> BoundExpr {
    let source = self.source
    func mismatch(_ found: DataType) -> BindFailure {
      BindFailure(
        .typeMismatch(
          "cannot compare \(source.text(of: other.span)) (\(type)) with \(source.text(of: expr.span)) (\(found))",
          found: found, span: expr.span, expected: type))
    }
    if case .parameter(let name) = expr.kind {
      return try coerceParameter(name, expr.span, to: type, against: other)
    }
    var negative = false
    var kind = expr.kind
    if case .unary(.negate, let inner) = kind, case .number = inner.kind {
      negative = true
      kind = inner.kind
    }
    switch kind {
    case .null:
      return .literal(.null, type)
    case .number(let literal):
      let sign: Int64 = negative ? -1 : 1
      switch type {
      case .int:
        if literal.isInteger { return .literal(.int(sign * literal.mantissa), .int) }
        return .literal(.double(Double(sign) * literal.doubleValue), .double)
      case .double:
        return .literal(.double(Double(sign) * literal.doubleValue), .double)
      case .money:
        guard let minor = literal.minorUnits else {
          throw BindFailure(
            Diagnostic(
              DiagnosticCode("E0401"), .error, "money has at most two decimals", span: expr.span,
              label: "\(literal.scale) decimals",
              help: ["round it to kopecks: \(NumberFormat.shortest((literal.doubleValue * 100).rounded() / 100))"]))
        }
        return .literal(.money(sign * minor), .money)
      case .null:
        return .literal(
          literal.isInteger ? .int(sign * literal.mantissa) : .double(literal.doubleValue),
          literal.isInteger ? .int : .double)
      default: throw mismatch(literal.isInteger ? .int : .double)
      }
    case .string(let text):
      switch type {
      case .string, .null: return .literal(.string(text), .string)
      case .date, .timestamp:
        var parsed = Parser.parse(SourceFile(name: "value", text: text))
        if let statement = parsed.popLast()?.statement, parsed.isEmpty, case .query(let q) = statement.kind,
          q.measures.count == 1,
          q.dimensions.isEmpty, q.predicate == nil
        {
          let inner = q.measures[0].expr
          let shifted = Expr(inner.kind, expr.span)
          if case .period = inner.kind { return try coerce(shifted, to: type, against: other) }
          if case .timestamp = inner.kind { return try coerce(shifted, to: type, against: other) }
        }
        throw BindFailure(
          Diagnostic(
            DiagnosticCode("E0104"), .error, "'\(text)' is not a date", span: expr.span, label: "expected a date",
            help: ["write dates without quotes: 2026-09-15"]))
      default: throw mismatch(.string)
      }
    case .period(let literal):
      switch type {
      case .date, .null: return .literal(.date(literal.start), .date)
      case .timestamp: return .literal(.timestamp(literal.start * CivilDate.secondsPerDay), .timestamp)
      default: throw mismatch(.date)
      }
    case .timestamp(let seconds):
      switch type {
      case .timestamp, .null: return .literal(.timestamp(seconds), .timestamp)
      default: throw mismatch(.timestamp)
      }
    case .bool(let value):
      guard type == .bool || type == .null else { throw mismatch(.bool) }
      return .literal(.bool(value), .bool)
    default:
      let bound = try bindRow(expr)
      if compatible(bound.type, type) { return bound }
      throw mismatch(bound.type)
    }
  }

  /// The value given for `$name`, or an error naming the parameters that were given.
  func parameterValue(_ name: String, _ span: SourceSpan) throws -> Value {
    if let value = context.parameters[name] { return value }
    let given = context.parameters.keys.sorted()
    var help = ["give it with the statement: run(text, parameters: [\"\(name)\": …])"]
    if let close = Suggestions.closest(to: name, in: given).first { help.insert("did you mean '$\(close)'?", at: 0) }
    throw BindFailure(
      Diagnostic(
        DiagnosticCode("E0313"), .error, "no value for the parameter '$\(name)'", span: span, label: "not given",
        help: help))
  }

  /// `2026-09-15` as a date, `2026-09-15 10:30[:00]` as a timestamp.
  static func calendarValue(_ text: String) -> Value? {
    let parsed = Parser.parse(SourceFile(name: "value", text: text))
    guard parsed.count == 1, let statement = parsed[0].statement, case .query(let query) = statement.kind,
      query.measures.count == 1, query.dimensions.isEmpty, query.predicate == nil
    else { return nil }
    switch query.measures[0].expr.kind {
    case .period(.day(let days)): return .date(days)
    case .timestamp(let seconds): return .timestamp(seconds)
    default: return nil
    }
  }

  /// A parameter's value as the type it is compared with; a value that cannot be is an error
  /// naming both types.
  func coerceParameter(_ name: String, _ span: SourceSpan, to type: DataType, against other: Expr) throws -> BoundExpr {
    let value = try parameterValue(name, span)
    var converted: Value?
    switch (type, value) {
    case (_, .null): converted = .null
    case (.money, .money(let v)): converted = .money(v)
    case (.money, .int(let v)):
      let (kopecks, overflow) = v.multipliedReportingOverflow(by: 100)
      converted = overflow ? nil : .money(kopecks)
    case (.money, .double(let v)):
      let kopecks = (v * 100).rounded()
      converted = abs(v * 100 - kopecks) < 1e-6 && abs(kopecks) < 9e18 ? .money(Int64(kopecks)) : nil
    case (.int, .int), (.double, .double), (.string, .string), (.bool, .bool), (.date, .date), (.timestamp, .timestamp):
      converted = value
    case (.int, .double), (.double, .int), (.double, .money):
      converted = .double(value.doubleValue ?? 0)
    case (.timestamp, .date(let days)): converted = .timestamp(days * CivilDate.secondsPerDay)
    case (.date, .string(let text)), (.timestamp, .string(let text)):
      // A date given as text, as JSON clients do: 2026-09-15 or 2026-09-15 10:30:00.
      if let parsed = Binder.calendarValue(text) {
        switch (type, parsed) {
        case (.date, .date), (.timestamp, .timestamp): converted = parsed
        case (.timestamp, .date(let days)): converted = .timestamp(days * CivilDate.secondsPerDay)
        default: converted = nil
        }
      }
    case (.null, _): converted = value
    default: converted = nil
    }
    guard let converted else {
      throw BindFailure(
        .typeMismatch(
          "the parameter '$\(name)' is \(value.type), but \(source.text(of: other.span)) is \(type)",
          found: value.type, span: span, expected: type))
    }
    let bound = BoundExpr.literal(converted, converted.isNull ? type : converted.type)
    try checkValueExists(.column(source.text(of: other.span), type), bound, at: span)
    return bound
  }

  func compatible(_ a: DataType, _ b: DataType) -> Bool {
    if a == b || a == .null || b == .null { return true }
    if a.isNumeric && b.isNumeric { return true }
    if case .bucket = a, case .bucket = b { return true }
    return false
  }

  /// `source = 'сайт'` when no row has that value: an error with the close values, if any.
  func checkValueExists(_ column: BoundExpr, _ value: BoundExpr, at span: SourceSpan) throws {
    guard checkValues, case .column(let name, .string) = column, case .literal(.string(let text), _) = value else {
      return
    }
    if schemas.hasValue(text, column: name, in: table.name) { return }
    let values = schemas.values(of: name, in: table.name) ?? []
    // The values a person meant: close in spelling; else those that contain it ('Петров' →
    // 'Иван Петров'); else those with a word close to it ('Петрв' → 'Иван Петров'). The most
    // rows first, five at most.
    var close = Suggestions.closest(to: text, in: values.map(\.value))
    var lead = "did you mean "
    if close.isEmpty {
      let needle = text.lowercased()
      let byRows = values.sorted { $0.rows > $1.rows }
      close = byRows.filter { $0.value.lowercased().contains(needle) }.prefix(5).map(\.value)
      if !close.isEmpty {
        lead = "the \(name) values that contain it: "
      } else if needle.count >= 3 {
        close = byRows.filter { value in
          let words = value.value.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
          return !Suggestions.closest(to: text, in: words, limit: 1).isEmpty
        }.prefix(5).map(\.value)
      }
    }
    guard !close.isEmpty else { return }
    let counts = Dictionary(values.map { ($0.value, $0.rows) }, uniquingKeysWith: { a, _ in a })
    let options = close.map { "'\($0)' (\(NumberFormat.integer(Int64(counts[$0] ?? 0), grouped: true)) rows)" }
    throw BindFailure(
      Diagnostic(
        DiagnosticCode("E0303"), .error, "no \(table.name) have \(name) '\(text)'", span: span,
        label: "not a value of \(name)",
        help: [lead + Suggestions.list(options, quote: false) + (lead.hasPrefix("did") ? "?" : "")]))
  }

  func arithmetic(
    _ op: BinaryOperator, _ l: BoundExpr, _ r: BoundExpr, span: SourceSpan, leftSpan: SourceSpan, rightSpan: SourceSpan
  ) throws -> BoundExpr {
    guard l.type.isNumeric || l.type == .null else {
      throw BindFailure(.typeMismatch("'\(op.rawValue)' needs numbers", found: l.type, span: leftSpan))
    }
    guard r.type.isNumeric || r.type == .null else {
      throw BindFailure(.typeMismatch("'\(op.rawValue)' needs numbers", found: r.type, span: rightSpan))
    }
    let type: DataType
    switch (op, l.type, r.type) {
    case (.divide, .money, .int): type = .money
    case (.divide, _, _): type = .double
    case (.add, .int, .int), (.subtract, .int, .int), (.multiply, .int, .int): type = .int
    case (.add, .money, .money), (.subtract, .money, .money): type = .money
    case (.multiply, .money, .int), (.multiply, .int, .money): type = .money
    default: type = .double
    }
    return .arithmetic(op, l, r, type)
  }

  func unknownColumn(_ name: String, span: SourceSpan) -> Diagnostic {
    var help: [String] = []
    let elsewhere = schemas.tableSchemas.filter { $0.name != table.name && $0.column(named: name) != nil }.map(\.name)
    if let other = elsewhere.first {
      help.append("'\(name)' is a column of \(other): add 'of \(other)'")
    } else {
      let candidates =
        table.columns.map(\.name) + Array(context.segments.keys) + Keyword.allCases.map(\.rawValue)
        + TimeGrain.allCases.map(\.rawValue)
      if let close = Suggestions.closest(to: name, in: candidates).first {
        help.append("did you mean '\(close)'?")
      } else {
        help.append("\(table.name) has " + table.columns.prefix(16).map(\.name).joined(separator: ", "))
      }
    }
    return Diagnostic(
      DiagnosticCode("E0301"), .error, "unknown column '\(name)'", span: span, label: "not a column of \(table.name)",
      help: help)
  }

  func unknownFunction(_ name: String, span: SourceSpan) -> Diagnostic {
    let known = Array(Binder.aggregateNames.keys) + TimeGrain.allCases.map(\.rawValue) + ["days_between"]
    let help =
      Suggestions.closest(to: name, in: known).first.map { "did you mean '\($0)'?" }
      ?? "functions are count, sum, avg, min, max, median and the time grains day, week, month, quarter, year, weekday, hour"
    return Diagnostic(
      DiagnosticCode("E0304"), .error, "unknown function '\(name)'", span: span, label: "not a function", help: [help])
  }
}

extension Diagnostic {
  public static func typeMismatch(_ message: String, found: DataType, span: SourceSpan, expected: DataType? = nil)
    -> Diagnostic
  {
    Diagnostic(
      DiagnosticCode("E0401"), .error, message, span: span,
      label: expected.map { "\(found), expected \($0)" } ?? "this is \(found)")
  }

  public static func unknownTable(_ name: Name, known: [String]) -> Diagnostic {
    let help =
      Suggestions.closest(to: name.text, in: known).first.map { "did you mean '\($0)'?" }
      ?? "loaded tables: " + known.joined(separator: ", ")
    return Diagnostic(
      DiagnosticCode("E0302"), .error, "unknown table '\(name.text)'", span: name.span, label: "not loaded",
      help: [help])
  }
}
