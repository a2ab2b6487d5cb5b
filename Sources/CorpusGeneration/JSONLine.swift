import InterestCore

/// Helpers that append JSON fragments to a line under construction. Strings are written as
/// `JSONWriter` writes them: raw UTF-8, only `"`, `\` and control characters escaped.
enum JSONLine {
    /// Appends `text` as a JSON string literal (with quotes).
    static func appendString(_ text: String, to line: inout String) {
        if text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            line += String(decoding: JSONWriter.quoted(text), as: UTF8.self)
        } else {
            line += "\""
            line += text
            line += "\""
        }
    }

    /// Appends `prefix` followed by `number` zero-padded to `width` digits, e.g. `u000042`.
    static func appendPaddedID(prefix: String, number: Int, width: Int, to line: inout String) {
        line += prefix
        let digits = String(number)
        if digits.count < width {
            line += String(repeating: "0", count: width - digits.count)
        }
        line += digits
    }

    /// `prefix` followed by `number` zero-padded to `width` digits.
    static func paddedID(prefix: String, number: Int, width: Int) -> String {
        var result = ""
        appendPaddedID(prefix: prefix, number: number, width: width, to: &result)
        return result
    }

    /// Appends a percentage as a decimal fraction with two digits, e.g. 62 -> `0.62`.
    static func appendFraction(percent: Int, to line: inout String) {
        let clamped = max(0, percent)
        line += String(clamped / 100)
        line += "."
        let hundredths = clamped % 100
        if hundredths < 10 { line += "0" }
        line += String(hundredths)
    }

    /// Number of decimal digits of `count` (at least 1).
    static func digitCount(_ count: Int) -> Int {
        String(max(0, count)).count
    }
}
