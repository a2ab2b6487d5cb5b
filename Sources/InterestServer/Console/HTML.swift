import Foundation
import InterestCore

/// A piece of HTML that is safe by construction: the literal parts of a template are trusted
/// markup, and every `String` interpolated into one is escaped (`&`, `<`, `>`, `"`, `'`), so a
/// review holding `<script>` shows as text, in element content and in attribute values alike.
/// Only another `HTML` (already safe) or a number goes in unescaped; there is no interpolation
/// of arbitrary values, so nothing reaches a page without passing one of these.
struct HTML: ExpressibleByStringInterpolation, Sendable, Equatable {
    private(set) var raw: String

    init(stringLiteral value: String) { raw = value }

    init(stringInterpolation: StringInterpolation) { raw = stringInterpolation.raw }

    private init(raw: String) { self.raw = raw }

    static let empty = HTML(raw: "")

    /// Pieces one after another.
    init(joining parts: [HTML], separator: HTML = .empty) {
        raw = parts.map(\.raw).joined(separator: separator.raw)
    }

    /// Text escaped for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var raw = ""

        init(literalCapacity: Int, interpolationCount: Int) { raw.reserveCapacity(literalCapacity + 16 * interpolationCount) }

        mutating func appendLiteral(_ literal: String) { raw += literal }
        /// User-supplied or computed text: escaped.
        mutating func appendInterpolation(_ text: String) { raw += HTML.escape(text) }
        mutating func appendInterpolation(_ text: Substring) { raw += HTML.escape(String(text)) }
        mutating func appendInterpolation(_ html: HTML) { raw += html.raw }
        mutating func appendInterpolation(_ parts: [HTML]) { for p in parts { raw += p.raw } }
        mutating func appendInterpolation(_ n: Int) { raw += String(n) }
        mutating func appendInterpolation(_ n: Int64) { raw += String(n) }
        /// A number with a fixed count of decimals (SVG coordinates, weights).
        mutating func appendInterpolation(_ x: Double, decimals: Int) { raw += Format.fixed(x, decimals) }
    }
}

/// Numbers, dates and links as the console writes them.
enum Format {
    /// `x` with `decimals` digits after the point ("-" for a value that is not finite).
    static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "–" }
        return String(format: "%.\(max(0, min(decimals, 12)))f", x)
    }

    /// A count with thin thousands separators (1 234 567).
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out += "\u{202F}" }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A Unix time as `2025-06-01 12:00 UTC`.
    static func time(_ seconds: Int64) -> String {
        let c = civil(seconds)
        return day(seconds) + " " + two(c.hour) + ":" + two(c.minute) + " UTC"
    }

    /// A Unix time as `2025-06-01` (UTC).
    static func day(_ seconds: Int64) -> String {
        let c = civil(seconds)
        return String(c.year) + "-" + two(c.month) + "-" + two(c.day)
    }

    private static func two(_ n: Int64) -> String { n < 10 ? "0" + String(n) : String(n) }

    /// The UTC calendar date and time of a Unix time (proleptic Gregorian; Howard Hinnant's
    /// days-to-civil), without a formatter per call — a long timeline formats thousands.
    static func civil(_ seconds: Int64) -> (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64) {
        let days = UnixDay.of(seconds)
        let rest = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d, rest / 3_600, (rest % 3_600) / 60)
    }

    /// A duration: 850 ms, 12.3 s, 4 min 05 s.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 1 { return fixed(seconds * 1000, 0) + " ms" }
        if seconds < 60 { return fixed(seconds, 1) + " s" }
        let whole = Int(seconds.rounded())
        return "\(whole / 60) min " + String(format: "%02d", whole % 60) + " s"
    }

    /// One path segment, percent-encoded (only unreserved characters stay as they are), so an
    /// id holding `/`, `?`, `#` or spaces makes a link to itself.
    static func segment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A query parameter's value, percent-encoded.
    static func queryValue(_ value: String) -> String { segment(value) }
}

/// The console's links.
enum ConsoleLink {
    static let shop = "/console"
    static func user(_ id: String) -> String { "/console/users/" + Format.segment(id) }
    static func item(_ id: String) -> String { "/console/items/" + Format.segment(id) }
}
