/// A value read for a mapped field, before validation.
enum RawValue: Equatable {
    case string(String)
    /// A JSON number, kept as its literal text (ids like `123` stay `"123"`).
    case number(String)
    case bool(Bool)
    case null
    case array
    case object

    var typeName: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A strict, allocation-light JSON parser for one line holding one object.
///
/// Only the keys named in the field mapping are materialised; every other value is validated
/// and skipped (nested values iteratively, with a depth limit, so hostile input cannot overflow
/// the stack). Strings are checked for UTF-8 validity, unescaped control characters and unpaired
/// `\u` surrogates, so what is stored is exactly what was sent.
///
/// - Complexity: O(n) in the line's bytes, one pass.
struct JSONLineScanner {
    static let maxDepth = 512

    let entries: [(key: [UInt8], field: EventField, part: Int)]

    init(mapping: FieldMapping) {
        entries = mapping.lookupEntries()
    }

    /// Parses `line` (no trailing newline) into `values`, indexed like `entries`.
    func scan(_ line: UnsafeBufferPointer<UInt8>, into values: inout [RawValue?]) throws(EventFormatError) {
        for k in values.indices { values[k] = nil }
        var c = Cursor(bytes: line)
        c.skipWhitespace()
        guard let first = c.peek() else { throw .notAnObject(found: "an empty line") }
        guard first == UInt8(ascii: "{") else {
            throw .notAnObject(found: first == UInt8(ascii: "[") ? "an array" : "'\(Character(Unicode.Scalar(first)))'")
        }
        c.i += 1
        c.skipWhitespace()
        if c.peek() == UInt8(ascii: "}") {
            c.i += 1
        } else {
            while true {
                c.skipWhitespace()
                guard c.peek() == UInt8(ascii: "\"") else { throw c.error("expected a quoted key") }
                let (keyStart, keyEnd, keyEscaped) = try c.scanString()
                let slot = lookup(line, keyStart, keyEnd, escaped: keyEscaped, cursor: c)
                c.skipWhitespace()
                guard c.peek() == UInt8(ascii: ":") else { throw c.error("expected ':' after a key") }
                c.i += 1
                c.skipWhitespace()
                if let slot {
                    values[slot] = try c.readValue()
                } else {
                    try c.skipValue()
                }
                c.skipWhitespace()
                guard let b = c.peek() else { throw c.error("the object is not closed with '}'") }
                c.i += 1
                if b == UInt8(ascii: ",") { continue }
                if b == UInt8(ascii: "}") { break }
                throw c.error("expected ',' or '}'", at: c.i - 1)
            }
        }
        c.skipWhitespace()
        if c.i < line.count { throw c.error("unexpected text after the closing '}'") }
    }

    private func lookup(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, escaped: Bool, cursor: Cursor) -> Int? {
        if escaped {
            guard let decoded = try? cursor.decodeString(start, end) else { return nil }
            let key = Array(decoded.utf8)
            return entries.firstIndex { $0.key == key }
        }
        let n = end - start
        outer: for (k, e) in entries.enumerated() where e.key.count == n {
            for j in 0..<n where e.key[j] != line[start + j] { continue outer }
            return k
        }
        return nil
    }
}

/// Byte cursor over one line.
struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @inline(__always) func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

    func error(_ reason: String, at pos: Int? = nil) -> EventFormatError {
        .malformedJSON(column: (pos ?? i) + 1, reason: reason)
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 } else { return }
        }
    }

    /// Scans a string starting at the opening quote; returns the content range and whether it
    /// holds escapes. Validates UTF-8, control characters and escape syntax.
    mutating func scanString() throws(EventFormatError) -> (Int, Int, Bool) {
        i += 1
        let start = i
        var escaped = false
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let end = i
                i += 1
                return (start, end, escaped)
            }
            if b == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < n else { break }
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < n, (2...5).allSatisfy({ isHex(bytes[i + $0]) }) else {
                        throw error("\\u must be followed by four hex digits")
                    }
                    i += 6
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
                }
                continue
            }
            if b < 0x20 { throw error("unescaped control character 0x\(String(b, radix: 16)) in a string") }
            if b < 0x80 {
                i += 1
                continue
            }
            i = try validateMultibyte(at: i)
        }
        throw error("a string is not closed with '\"'")
    }

    /// Validates one multi-byte UTF-8 sequence starting at `p`; returns the index after it.
    @inline(__always)
    func validateMultibyte(at p: Int) throws(EventFormatError) -> Int {
        let b0 = bytes[p]
        let n = bytes.count
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            p + k < n && bytes[p + k] >= lo && bytes[p + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF:
            if cont(1) { return p + 2 }
        case 0xE0:
            if cont(1, 0xA0, 0xBF) && cont(2) { return p + 3 }
        case 0xE1...0xEC, 0xEE...0xEF:
            if cont(1) && cont(2) { return p + 3 }
        case 0xED:
            if cont(1, 0x80, 0x9F) && cont(2) { return p + 3 }
        case 0xF0:
            if cont(1, 0x90, 0xBF) && cont(2) && cont(3) { return p + 4 }
        case 0xF1...0xF3:
            if cont(1) && cont(2) && cont(3) { return p + 4 }
        case 0xF4:
            if cont(1, 0x80, 0x8F) && cont(2) && cont(3) { return p + 4 }
        default:
            break
        }
        throw .invalidUTF8(byteOffset: p)
    }

    /// Decodes a scanned string's content (already validated) into a Swift string.
    func decodeString(_ start: Int, _ end: Int) throws(EventFormatError) -> String {
        var out = [UInt8]()
        out.reserveCapacity(end - start)
        var k = start
        while k < end {
            let b = bytes[k]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                k += 1
                continue
            }
            let e = bytes[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(k)
                k += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard k + 6 <= end, bytes[k] == UInt8(ascii: "\\"), bytes[k + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate \\u\(String(scalar, radix: 16, uppercase: true)); text must be valid Unicode", at: k - 6)
                    }
                    let low = hex4(k + 2)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw error("unpaired surrogate \\u\(String(scalar, radix: 16, uppercase: true)); text must be valid Unicode", at: k - 6)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw error("unpaired surrogate \\u\(String(scalar, radix: 16, uppercase: true)); text must be valid Unicode", at: k - 6)
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape", at: k - 6) }
                out.append(contentsOf: UTF8.encode(u).map { Array($0) } ?? [])
            default: out.append(e)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always) private func hex4(_ p: Int) -> UInt32 {
        var v: UInt32 = 0
        for j in 0..<4 { v = v << 4 | UInt32(hexValue(bytes[p + j])) }
        return v
    }

    /// Reads a value for a mapped field.
    mutating func readValue() throws(EventFormatError) -> RawValue {
        guard let b = peek() else { throw error("expected a value") }
        switch b {
        case UInt8(ascii: "\""):
            let (s, e, escaped) = try scanString()
            if escaped { return .string(try decodeString(s, e)) }
            return .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[s..<e]), as: UTF8.self))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let s = i
            try scanNumber()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[s..<i]), as: UTF8.self))
        case UInt8(ascii: "{"):
            try skipValue()
            return .object
        case UInt8(ascii: "["):
            try skipValue()
            return .array
        default:
            try scanLiteral()
            switch bytes[i - 1] {
            case UInt8(ascii: "l"): return .null
            case UInt8(ascii: "e") where bytes[i - 4] == UInt8(ascii: "t"): return .bool(true)
            default: return .bool(false)
            }
        }
    }

    /// Validates and skips any value, nesting handled iteratively.
    mutating func skipValue() throws(EventFormatError) {
        var stack: [UInt8] = []  // "{" or "["
        var expectValue = true
        while true {
            skipWhitespace()
            if expectValue {
                guard let b = peek() else { throw error("expected a value") }
                switch b {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard stack.count < JSONLineScanner.maxDepth else { throw .nestingTooDeep(limit: JSONLineScanner.maxDepth) }
                    stack.append(b)
                    i += 1
                    skipWhitespace()
                    let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                    if peek() == close {
                        i += 1
                        stack.removeLast()
                        expectValue = false
                    } else if b == UInt8(ascii: "{") {
                        try expectKey()
                    }
                    if !expectValue, stack.isEmpty { return }
                    continue
                case UInt8(ascii: "\""): _ = try scanString()
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
                default: try scanLiteral()
                }
                expectValue = false
                if stack.isEmpty { return }
            } else {
                guard let top = stack.last else { return }
                guard let b = peek() else { throw error("a nested value is not closed") }
                i += 1
                if b == UInt8(ascii: ",") {
                    if top == UInt8(ascii: "{") { skipWhitespace(); try expectKey() }
                    expectValue = true
                } else if (b == UInt8(ascii: "}") && top == UInt8(ascii: "{")) || (b == UInt8(ascii: "]") && top == UInt8(ascii: "[")) {
                    stack.removeLast()
                    if stack.isEmpty { return }
                } else {
                    throw error("expected ',' or a closing bracket", at: i - 1)
                }
            }
        }
    }

    private mutating func expectKey() throws(EventFormatError) {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
        _ = try scanString()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
        i += 1
    }

    mutating func scanNumber() throws(EventFormatError) {
        let start = i
        if peek() == UInt8(ascii: "-") { i += 1 }
        guard let d = peek(), isDigit(d) else { throw error("invalid number", at: start) }
        if d == UInt8(ascii: "0") {
            i += 1
        } else {
            while let x = peek(), isDigit(x) { i += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            i += 1
            guard let x = peek(), isDigit(x) else { throw error("invalid number: digits must follow '.'", at: start) }
            while let x = peek(), isDigit(x) { i += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            i += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { i += 1 }
            guard let x = peek(), isDigit(x) else { throw error("invalid number exponent", at: start) }
            while let x = peek(), isDigit(x) { i += 1 }
        }
    }

    mutating func scanLiteral() throws(EventFormatError) {
        for lit in ["true", "false", "null"] {
            let u = Array(lit.utf8)
            if i + u.count <= bytes.count && (0..<u.count).allSatisfy({ bytes[i + $0] == u[$0] }) {
                i += u.count
                return
            }
        }
        throw error("unexpected character; expected a value")
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
@inline(__always) func isHex(_ b: UInt8) -> Bool {
    isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
}
@inline(__always) func hexValue(_ b: UInt8) -> UInt8 {
    isDigit(b) ? b - 0x30 : (b >= 0x61 ? b - 0x61 + 10 : b - 0x41 + 10)
}
