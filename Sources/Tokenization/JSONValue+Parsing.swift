import InterestCore

extension JSONValue {
    /// Parses JSON text (RFC 8259). Depth is limited to 256 so hostile input cannot overflow
    /// the stack.
    public static func parse(_ bytes: [UInt8]) throws(TokenizationError) -> JSONValue {
        var p = JSONParser(bytes: bytes)
        p.skipWhitespace()
        let v = try p.value(depth: 0, place: .root)
        p.skipWhitespace()
        guard p.i == bytes.count else { throw p.fail("unexpected text after the end") }
        return v
    }

    public static func parse(_ string: String) throws(TokenizationError) -> JSONValue {
        try parse(Array(string.utf8))
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    /// When set, the root's "model" object's "vocab" and "merges" are scanned into it instead
    /// of becoming values (they are left `null`); see `TokenizerJSON+Tables.swift`.
    var tables: ModelTables?

    /// Where a value sits, as far as `tables` cares.
    enum Place { case root, model, other }

    init(bytes: [UInt8], tables: ModelTables? = nil) {
        self.bytes = bytes
        self.tables = tables
    }

    func fail(_ reason: String) -> TokenizationError { .invalidJSON(offset: i, reason: reason) }

    mutating func skipWhitespace() {
        let start = i
        i = bytes.withUnsafeBufferPointer { b in
            var j = start
            while j < b.count, b[j] == 0x20 || b[j] == 0x0A || b[j] == 0x0D || b[j] == 0x09 { j += 1 }
            return j
        }
    }

    mutating func value(depth: Int, place: Place = .other) throws(TokenizationError) -> JSONValue {
        guard depth < 256 else { throw fail("nested too deeply") }
        guard i < bytes.count else { throw fail("unexpected end of file") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipWhitespace()
                if tables != nil, place != .other, let v = try table(key, place: place) {
                    members.append((key, v))
                } else {
                    members.append((key, try value(depth: depth + 1, place: place == .root && key == "model" ? .model : .other)))
                }
                skipWhitespace()
                guard i < bytes.count else { throw fail("unexpected end of file in an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard i < bytes.count else { throw fail("unexpected end of file in an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return try number()
        }
    }

    mutating func literal(_ word: String) throws(TokenizationError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("invalid literal") }
        i += w.count
    }

    mutating func number() throws(TokenizationError) -> JSONValue {
        let start = i
        var isInt = true
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 { i += 1; continue }
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
                isInt = false
                i += 1
                continue
            }
            break
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInt, let v = Int(text) { return .int(v) }
        guard let d = Double(text), d.isFinite else { i = start; throw fail("invalid number '\(text.prefix(20))'") }
        return .double(d)
    }

    mutating func string() throws(TokenizationError) -> String {
        // Most strings have no escape: made straight from the file's bytes.
        let fast: String?? = bytes.withUnsafeBufferPointer { b in
            var j = i + 1
            while j < b.count, b[j] != UInt8(ascii: "\""), b[j] != UInt8(ascii: "\\") { j += 1 }
            guard j < b.count, b[j] == UInt8(ascii: "\"") else { return nil }
            defer { i = j + 1 }
            return .some(String(validating: UnsafeBufferPointer(rebasing: b[(i + 1)..<j]), as: UTF8.self))
        }
        if let fast {
            guard let s = fast else { throw fail("a string is not valid UTF-8") }
            return s
        }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
                return s
            }
            if b == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { break }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var cp = try hex4()
                    if cp >= 0xD800 && cp < 0xDC00 {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw fail("unpaired surrogate")
                        }
                        i += 2
                        let lo = try hex4()
                        guard lo >= 0xDC00 && lo < 0xE000 else { throw fail("unpaired surrogate") }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    } else if cp >= 0xDC00 && cp < 0xE000 {
                        throw fail("unpaired surrogate")
                    }
                    appendUTF8(cp, to: &out)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                default: throw fail("invalid escape")
                }
                continue
            }
            out.append(b)
            i += 1
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws(TokenizationError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}

extension JSONValue {
    /// Serializes like serde_json's pretty printer (2-space indent), raw UTF-8, so files are
    /// readable and byte-identical for equal values.
    public func serialized(pretty: Bool = true) -> String {
        String(decoding: serializedBytes(pretty: pretty), as: UTF8.self)
    }

    /// `serialized` as UTF-8 bytes.
    public func serializedBytes(pretty: Bool = true) -> [UInt8] {
        var out = JSONWriter()
        write(&out, indent: pretty ? 0 : -1)
        return out.takeBytes()
    }

    private func write(_ out: inout JSONWriter, indent: Int) {
        let pretty = indent >= 0
        func newline(_ level: Int) {
            out.appendRaw(UInt8(ascii: "\n"))
            for _ in 0..<level { out.appendRaw("  ") }
        }
        switch self {
        case .null: out.appendRaw("null")
        case .bool(let b): out.appendRaw(b ? "true" : "false")
        case .int(let v): out.appendInt(v)
        case .double(let d):
            // A whole double as "1.0" (serde's style for floats).
            if d == d.rounded() && abs(d) < 1e15 {
                out.appendInt(Int(d))
                out.appendRaw(".0")
            } else {
                var text = "\(d)"
                text.withUTF8 { out.appendRaw($0) }
            }
        case .string(let s): out.appendString(s)
        case .array(let items):
            if items.isEmpty { out.appendRaw("[]"); return }
            out.appendRaw(UInt8(ascii: "["))
            for (k, v) in items.enumerated() {
                if k > 0 { out.appendRaw(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                v.write(&out, indent: pretty ? indent + 1 : -1)
            }
            if pretty { newline(indent) }
            out.appendRaw(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { out.appendRaw("{}"); return }
            out.appendRaw(UInt8(ascii: "{"))
            for (k, (key, v)) in members.enumerated() {
                if k > 0 { out.appendRaw(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                out.appendString(key)
                out.appendRaw(pretty ? ": " : ":")
                v.write(&out, indent: pretty ? indent + 1 : -1)
            }
            if pretty { newline(indent) }
            out.appendRaw(UInt8(ascii: "}"))
        }
    }
}
