/// Helpers that append JSON fragments to a line under construction. Strings are written as raw
/// UTF-8 (no `\u` escapes for non-ASCII); only `"`, `\` and control characters are escaped.
enum JSONLine {
    /// Appends `text` as a JSON string literal (with quotes).
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        var needsEscape = false
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            line += text
        } else {
            appendEscaped(text, to: &line)
        }
        line += "\""
    }

    private static func appendEscaped(_ text: String, to line: inout String) {
        let hexDigits: [Character] = [
            "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f",
        ]
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: line += "\\\""
            case 0x5C: line += "\\\\"
            case 0x0A: line += "\\n"
            case 0x0D: line += "\\r"
            case 0x09: line += "\\t"
            case 0x08: line += "\\b"
            case 0x0C: line += "\\f"
            case 0x00..<0x20:
                line += "\\u00"
                line.append(hexDigits[Int(scalar.value >> 4)])
                line.append(hexDigits[Int(scalar.value & 0xF)])
            default:
                line.unicodeScalars.append(scalar)
            }
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
