/// JSON text appended to a byte buffer, for output that must be fast (`interests tokenize
/// --file` writes tens of megabytes of it) and the same on every run.
///
/// Strings are written as raw UTF-8, escaping only what JSON requires — `"`, `\` and the
/// control characters below U+0020 (`\n`, `\r`, `\t`, `\b`, `\f` by name, the rest as `\u00xx`
/// in lowercase hex) — which is also what serde_json and Python's
/// `json.dumps(ensure_ascii=False)` write. Integers are formatted straight into the buffer.
///
/// Hot loops reserve room for a whole record once and write through a pointer (`write(upTo:)`
/// with the static `put` functions), so a record costs one capacity check, not one per byte;
/// the `append` methods are the same writes one value at a time. Nothing allocates but the
/// buffer's growth.
public struct JSONWriter: Sendable {
    /// The written bytes (`count` of them), then spare room: `storage.count` is the capacity.
    private var storage: [UInt8]
    public private(set) var count = 0

    public init(capacity: Int = 0) {
        storage = Self.uninitialized(max(capacity, 0))
    }

    /// A copy of the written bytes.
    public var bytes: [UInt8] { Array(storage[0..<count]) }

    /// The written bytes, without a copy; the writer is left empty.
    public mutating func takeBytes() -> [UInt8] {
        var out: [UInt8] = []
        swap(&out, &storage)
        out.removeSubrange(count...)
        count = 0
        return out
    }

    /// Empties the buffer, keeping its memory for the next use.
    public mutating func removeAll() { count = 0 }

    /// Makes room for `n` more bytes.
    @inline(__always)
    public mutating func reserveCapacity(_ n: Int) {
        if storage.count - count < n { grow(n) }
    }

    @inline(never)
    private mutating func grow(_ n: Int) {
        let capacity = max(count + n, 2 * storage.count, 256)
        let old = storage
        let used = count
        storage = Self.uninitialized(capacity) { p in
            old.withUnsafeBufferPointer { o in
                if let base = o.baseAddress, used > 0 { p.update(from: base, count: used) }
            }
        }
    }

    /// An array of `capacity` bytes whose contents are whatever `fill` writes (only the first
    /// `count` bytes of the storage are ever read).
    private static func uninitialized(_ capacity: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Void = { _ in }) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            if let base = buffer.baseAddress { fill(base) }
            // UInt8 has no invalid values, and bytes past `count` are never read.
            initialized = capacity
        }
    }

    /// Lets `body` write at most `maxBytes` bytes at the end through a pointer; it returns how
    /// many it wrote. Writing more than `maxBytes` is a bug of the caller's (memory past the
    /// reserved room).
    @inline(__always)
    public mutating func write(upTo maxBytes: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserveCapacity(max(maxBytes, 1))
        let start = count
        let written = storage.withUnsafeMutableBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            return body(base + start)
        }
        assert(written >= 0 && written <= maxBytes, "wrote \(written) bytes into room for \(maxBytes)")
        count = start + written
    }

    /// Appends one byte of JSON syntax (`{`, `,`, `\n`, …) as it is.
    @inline(__always)
    public mutating func appendRaw(_ byte: UInt8) {
        write(upTo: 1) { p in
            p[0] = byte
            return 1
        }
    }

    /// Appends text that is already JSON (punctuation, a key with its quotes) as it is.
    @inline(__always)
    public mutating func appendRaw(_ text: StaticString) {
        write(upTo: text.utf8CodeUnitCount) { Self.put(text, at: $0) }
    }

    /// Appends bytes that are already JSON (e.g. a string quoted earlier) as they are.
    @inline(__always)
    public mutating func appendRaw(_ json: UnsafeBufferPointer<UInt8>) {
        write(upTo: json.count) { Self.put(raw: json, at: $0) }
    }

    /// Appends an integer in decimal.
    @inline(__always)
    public mutating func appendInt(_ value: Int) {
        write(upTo: Self.maxIntBytes) { Self.put(value, at: $0) }
    }

    /// Appends `text` as a JSON string, with its quotes.
    public mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { appendString(utf8: $0) }
    }

    /// Appends UTF-8 bytes as a JSON string, with its quotes. The bytes are copied as they are
    /// apart from the escapes, so they must be valid UTF-8 for the result to be valid JSON (a
    /// Swift `String`'s always are).
    public mutating func appendString(utf8 text: UnsafeBufferPointer<UInt8>) {
        write(upTo: Self.maxStringBytes(text.count)) { Self.put(string: text, at: $0) }
    }

    /// `text` as a JSON string (with its quotes), for tables of strings written many times.
    public static func quoted(_ text: String) -> [UInt8] {
        var w = JSONWriter(capacity: text.utf8.count + 2)
        w.appendString(text)
        return w.takeBytes()
    }

    // MARK: Writing through a pointer

    // The `put` functions are inlinable: callers in other modules (EncodingJSON) call them for
    // every token, where a call costs as much as the work.

    /// The most bytes `put(_: Int, at:)` writes: a sign and 19 digits (Int.min).
    public static let maxIntBytes = 20

    /// The most bytes `put(string:at:)` writes for `utf8Count` bytes of text (every byte a
    /// `\u00xx`, and the quotes).
    @inlinable
    public static func maxStringBytes(_ utf8Count: Int) -> Int { 6 * utf8Count + 2 }

    /// Writes `value` in decimal at `p`; returns the number of bytes (at most `maxIntBytes`).
    /// Two digits at a time from a table (token ids and offsets are mostly 1 to 5 digits).
    @inlinable @inline(__always)
    public static func put(_ value: Int, at p: UnsafeMutablePointer<UInt8>) -> Int {
        var m = value.magnitude
        let pairs = digitPairs.utf8Start
        if value >= 0 && m < 100 {
            if m < 10 {
                p[0] = 0x30 &+ UInt8(truncatingIfNeeded: m)
                return 1
            }
            p[0] = pairs[2 &* Int(m)]
            p[1] = pairs[2 &* Int(m) &+ 1]
            return 2
        }
        let sign = value < 0 ? 1 : 0
        var digits = 1
        var rest = m
        while rest >= 10 {
            rest /= 10
            digits &+= 1
        }
        var k = sign &+ digits
        while m >= 100 {
            let r = Int(truncatingIfNeeded: m % 100)
            m /= 100
            k &-= 2
            p[k] = pairs[2 &* r]
            p[k &+ 1] = pairs[2 &* r &+ 1]
        }
        if m >= 10 {
            p[k &- 2] = pairs[2 &* Int(truncatingIfNeeded: m)]
            p[k &- 1] = pairs[2 &* Int(truncatingIfNeeded: m) &+ 1]
        } else {
            p[k &- 1] = 0x30 &+ UInt8(truncatingIfNeeded: m)
        }
        if sign == 1 { p[0] = UInt8(ascii: "-") }
        return sign &+ digits
    }

    @usableFromInline
    static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Copies `text` at `p`; returns its length.
    @inlinable @inline(__always)
    public static func put(_ text: StaticString, at p: UnsafeMutablePointer<UInt8>) -> Int {
        p.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        return text.utf8CodeUnitCount
    }

    /// Copies bytes that are already JSON at `p`; returns their length.
    @inlinable @inline(__always)
    public static func put(raw json: UnsafeBufferPointer<UInt8>, at p: UnsafeMutablePointer<UInt8>) -> Int {
        if let base = json.baseAddress { p.update(from: base, count: json.count) }
        return json.count
    }

    /// Writes UTF-8 bytes as a JSON string (quoted, escaped) at `p`; returns the number of
    /// bytes (at most `maxStringBytes(text.count)`).
    public static func put(string text: UnsafeBufferPointer<UInt8>, at p: UnsafeMutablePointer<UInt8>) -> Int {
        p[0] = UInt8(ascii: "\"")
        var w = 1
        for b in text {
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                p[w] = b
                w += 1
                continue
            }
            p[w] = UInt8(ascii: "\\")
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): p[w + 1] = b
            case 0x0A: p[w + 1] = UInt8(ascii: "n")
            case 0x0D: p[w + 1] = UInt8(ascii: "r")
            case 0x09: p[w + 1] = UInt8(ascii: "t")
            case 0x08: p[w + 1] = UInt8(ascii: "b")
            case 0x0C: p[w + 1] = UInt8(ascii: "f")
            default:
                let hex: StaticString = "0123456789abcdef"
                p[w + 1] = UInt8(ascii: "u")
                p[w + 2] = 0x30
                p[w + 3] = 0x30
                p[w + 4] = hex.utf8Start[Int(b >> 4)]
                p[w + 5] = hex.utf8Start[Int(b & 0x0F)]
                w += 4
            }
            w += 2
        }
        p[w] = UInt8(ascii: "\"")
        return w + 1
    }
}
