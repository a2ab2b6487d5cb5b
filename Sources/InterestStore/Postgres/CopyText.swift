import InterestCore
import NIOCore

/// Rows in COPY's text format: tab-separated, `\N` for NULL, backslash escapes for `\`, tab,
/// newline and carriage return; bytea as `\\x` and hex.
struct CopyText {
    var buffer: ByteBuffer

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func row(_ seq: Int, _ kind: Int, _ key: EventKey, _ eventID: String?, _ user: String, _ item: String?,
                      _ action: Int?, _ rating: Double?, _ text: String?, _ ts: Int64) {
        buffer.writeString(String(seq))
        buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(String(kind))
        buffer.writeInteger(UInt8(ascii: "\t"))
        bytes(key.bytes)
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(eventID)
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(user)
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(item)
        buffer.writeInteger(UInt8(ascii: "\t"))
        if let action { buffer.writeString(String(action)) } else { null() }
        buffer.writeInteger(UInt8(ascii: "\t"))
        if let rating { buffer.writeString(rating.description) } else { null() }
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(text)
        buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(String(ts))
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    mutating func record(_ seq: Int, _ r: ItemRecord) {
        buffer.writeString(String(seq))
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(r.item)
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(r.title)
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(r.text)
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(r.category)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// Fields one by one (tabs between them), then ``endRow()``: the build tables' rows.
    mutating func int(_ v: Int64) {
        separate()
        buffer.writeString(String(v))
    }

    /// A finite number (`description` prints the shortest text that reads back exactly).
    mutating func double(_ v: Double) {
        separate()
        buffer.writeString(v.description)
    }

    mutating func optionalDouble(_ v: Double?) {
        separate()
        if let v { buffer.writeString(v.description) } else { null() }
    }

    mutating func text(_ v: String?) {
        separate()
        field(v)
    }

    mutating func bytea(_ v: [UInt8]?) {
        separate()
        if let v { bytes(v) } else { null() }
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        inRow = false
    }

    private var inRow = false

    private mutating func separate() {
        if inRow { buffer.writeInteger(UInt8(ascii: "\t")) }
        inRow = true
    }

    private mutating func null() {
        buffer.writeInteger(UInt8(ascii: "\\"))
        buffer.writeInteger(UInt8(ascii: "N"))
    }

    private mutating func field(_ s: String?) {
        guard let s else { return null() }
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\\"): buffer.writeInteger(UInt16(0x5C5C))
            case UInt8(ascii: "\t"): buffer.writeBytes([0x5C, UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.writeBytes([0x5C, UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.writeBytes([0x5C, UInt8(ascii: "r")])
            default: buffer.writeInteger(c)
            }
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func bytes(_ b: [UInt8]) {
        buffer.writeBytes([0x5C, 0x5C, UInt8(ascii: "x")])
        for x in b {
            buffer.writeInteger(Self.hex[Int(x >> 4)])
            buffer.writeInteger(Self.hex[Int(x & 15)])
        }
    }
}
