/// A JSON value that keeps object keys in order, so files (a `tokenizer.json`, a model's stored
/// parameters) are written byte-identically for equal values and read without losing anything.
/// Parsed by ``JSONParser``; written with ``JSONWriter``.
public indirect enum JSONValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member `key` of an object (nil when absent or not an object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var intValue: Int? {
        switch self {
        case .int(let i): i
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: Int(d)
        default: nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { o } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
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
