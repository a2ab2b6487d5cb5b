/// The unit of numeric timestamps in the input.
public enum TimestampUnit: String, Sendable, CaseIterable {
    case seconds = "s"
    case milliseconds = "ms"
}

/// Turns a `ts` value — Unix time as a number or numeric string, or an ISO-8601 string — into
/// Unix seconds, and rejects implausible values.
///
/// ISO-8601 forms accepted: `2024-05-01`, `2024-05-01T12:00`, `2024-05-01T12:00:00`,
/// optional fractional seconds, `T` or a space between date and time, and a zone `Z`, `±HH:MM`
/// or `±HHMM` (no zone means UTC). Fractions of a second are truncated.
///
/// Plausible means 1980-01-01 ≤ ts < 2100-01-01: a 0 is almost always a missing value, and a
/// value around 10^12 is milliseconds sent as seconds (the error says so).
public struct TimestampParser: Sendable {
    public static let earliest: Int64 = 315_532_800  // 1980-01-01T00:00:00Z
    public static let latest: Int64 = 4_102_444_800  // 2100-01-01T00:00:00Z

    public let unit: TimestampUnit

    public init(unit: TimestampUnit = .seconds) { self.unit = unit }

    /// A time given on a command line (`--since 2025-06-01`, an ISO-8601 time, or Unix seconds).
    public func parse(text: String) throws(EventFormatError) -> Int64 {
        try parse(.string(text))
    }

    func parse(_ value: RawValue) throws(EventFormatError) -> Int64 {
        switch value {
        case .number(let literal):
            return try checked(numeric: literal)
        case .string(let s):
            let t = Substring(s).trimmingWhitespace()
            if let first = t.utf8.first, (isDigit(first) || first == UInt8(ascii: "-")), !t.contains("-", after: 1), !t.contains(":") {
                return try checked(numeric: t)
            }
            return try checked(seconds: Self.parseISO8601(t))
        default:
            throw .wrongType(field: "ts", expected: "Unix seconds or an ISO-8601 string", found: value.typeName)
        }
    }

    private func checked(numeric literal: String) throws(EventFormatError) -> Int64 {
        guard let d = Double(literal), d.isFinite else {
            throw .invalidTimestamp(literal, reason: "not a number")
        }
        let seconds = unit == .milliseconds ? d / 1000 : d
        guard seconds.magnitude < 9.0e15 else {
            throw .timestampOutOfRange(d < 0 ? Int64.min : Int64.max, reason: "far outside 1980–2100")
        }
        let whole = Int64(seconds.rounded(.down))
        if unit == .seconds && whole >= 100_000_000_000 && whole < 100_000_000_000_000 {
            throw .timestampOutOfRange(whole, reason: "looks like milliseconds; pass --ts-unit ms")
        }
        return try checked(seconds: whole)
    }

    private func checked(seconds: Int64) throws(EventFormatError) -> Int64 {
        guard seconds >= Self.earliest else {
            throw .timestampOutOfRange(seconds, reason: "before 1980-01-01 (a 0 or negative ts is usually a missing value)")
        }
        guard seconds < Self.latest else {
            throw .timestampOutOfRange(seconds, reason: "after 2100-01-01")
        }
        return seconds
    }

    /// A time bound in a request (the service's `since`): Unix seconds as an integer of at most
    /// 18 digits, or an RFC 3339 full-date (`2025-06-01`) or date-time (`2025-06-01T12:00:00Z`,
    /// `2025-06-01T12:00:00.5+02:00`; `t` and `z` too) — exactly the grammar docs/openapi.yaml
    /// gives, nothing looser (no spaces, no zone-less times), and no plausibility range: a bound
    /// before 1980 is a bound, not a mistaken event time.
    public static func parseBound(_ text: String) throws(EventFormatError) -> Int64 {
        let b = Array(text.utf8)
        func fail() -> EventFormatError {
            .invalidTimestamp(text, reason: "expected Unix seconds (an integer) or an RFC 3339 date or date-time such as 2025-06-01 or 2025-06-01T12:00:00Z")
        }
        func digits(_ range: Range<Int>) -> Bool { range.upperBound <= b.count && range.allSatisfy { isDigit(b[$0]) } }
        let sign = b.first == UInt8(ascii: "-") ? 1 : 0
        if b.count > sign && b.count - sign <= 18 && digits(sign..<b.count) {
            guard let seconds = Int64(text) else { throw fail() }
            return seconds
        }
        guard b.count >= 10, digits(0..<4), b[4] == UInt8(ascii: "-"), digits(5..<7), b[7] == UInt8(ascii: "-"), digits(8..<10) else { throw fail() }
        if b.count > 10 {
            // full-time = HH:MM:SS [.digits] (Z | ±HH:MM), hours 00–23.
            guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), digits(11..<13), b.count > 13, b[13] == UInt8(ascii: ":"),
                  digits(14..<16), b.count > 16, b[16] == UInt8(ascii: ":"), digits(17..<19), (b[11] - 0x30) * 10 + (b[12] - 0x30) < 24 else { throw fail() }
            var p = 19
            if p < b.count && b[p] == UInt8(ascii: ".") {
                p += 1
                let start = p
                while p < b.count && isDigit(b[p]) { p += 1 }
                guard p > start else { throw fail() }
            }
            guard p < b.count else { throw fail() }
            if b[p] == UInt8(ascii: "Z") || b[p] == UInt8(ascii: "z") {
                p += 1
            } else {
                guard b[p] == UInt8(ascii: "+") || b[p] == UInt8(ascii: "-"), digits(p + 1..<p + 3), p + 3 < b.count, b[p + 3] == UInt8(ascii: ":"),
                      digits(p + 4..<p + 6) else { throw fail() }
                p += 6
            }
            guard p == b.count else { throw fail() }
        }
        return try parseISO8601(text)
    }

    /// Parses the ISO-8601 subset above into Unix seconds (no range check).
    static func parseISO8601(_ text: String) throws(EventFormatError) -> Int64 {
        let b = Array(text.utf8)
        var p = 0
        func fail(_ why: String) -> EventFormatError { .invalidTimestamp(text, reason: why) }
        func digits(_ n: Int) -> Int? {
            guard p + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                guard isDigit(b[p + k]) else { return nil }
                v = v * 10 + Int(b[p + k] - 0x30)
            }
            p += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard p < b.count, b[p] == c.asciiValue else { return false }
            p += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2) else {
            throw fail("expected YYYY-MM-DD")
        }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else {
            throw fail("no such date")
        }
        var hour = 0, minute = 0, second = 0, offset = 0
        if p < b.count {
            guard b[p] == UInt8(ascii: "T") || b[p] == UInt8(ascii: " ") || b[p] == UInt8(ascii: "t") else {
                throw fail("expected 'T' between date and time")
            }
            p += 1
            guard let h = digits(2), expect(":"), let m = digits(2) else { throw fail("expected HH:MM") }
            hour = h
            minute = m
            if expect(":") {
                guard let s = digits(2) else { throw fail("expected seconds as SS") }
                second = s
                if p < b.count, b[p] == UInt8(ascii: ".") || b[p] == UInt8(ascii: ",") {
                    p += 1
                    let start = p
                    while p < b.count, isDigit(b[p]) { p += 1 }
                    guard p > start else { throw fail("expected digits after the decimal point") }
                }
            }
            guard hour < 24 || (hour == 24 && minute == 0 && second == 0), minute < 60, second <= 60 else {
                throw fail("no such time of day")
            }
            if p < b.count {
                if b[p] == UInt8(ascii: "Z") || b[p] == UInt8(ascii: "z") {
                    p += 1
                } else if b[p] == UInt8(ascii: "+") || b[p] == UInt8(ascii: "-") {
                    let sign = b[p] == UInt8(ascii: "-") ? -1 : 1
                    p += 1
                    guard let oh = digits(2) else { throw fail("expected a zone offset ±HH:MM") }
                    _ = expect(":")
                    guard let om = digits(2), oh < 24, om < 60 else { throw fail("expected a zone offset ±HH:MM") }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard p == b.count else { throw fail("unexpected text at position \(p + 1)") }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension String {
    fileprivate func contains(_ c: Character, after offset: Int) -> Bool {
        dropFirst(offset).contains(c)
    }
}
