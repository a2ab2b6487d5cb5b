/// RFC 4180 CSV records: comma-separated, optionally quoted fields (`"a, ""b"""`), quoted
/// fields may span lines, records end with LF or CRLF.
struct CSVScanner {
    /// One record: its fields (nil for a field that is not valid UTF-8) and the line it starts on.
    struct Record {
        var fields: [String]
        var line: Int
        var error: EventFormatError?
    }

    /// Splits `bytes` into records. `bytes` must end at a record boundary (see
    /// ``RecordBoundary``); a quote left open at the end is reported on its record.
    static func records(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, maxRecordBytes: Int) -> (records: [Record], lines: Int) {
        var out: [Record] = []
        var line = firstLine
        var i = 0
        let n = bytes.count
        while i < n {
            let recordLine = line
            let recordStart = i
            var fields: [String] = []
            var error: EventFormatError?
            var endOfRecord = false
            while !endOfRecord {
                if i < n && bytes[i] == UInt8(ascii: "\"") {
                    // Quoted field.
                    i += 1
                    var content: [UInt8] = []
                    var closed = false
                    while i < n {
                        let b = bytes[i]
                        if b == UInt8(ascii: "\"") {
                            if i + 1 < n && bytes[i + 1] == UInt8(ascii: "\"") {
                                content.append(b)
                                i += 2
                                continue
                            }
                            i += 1
                            closed = true
                            break
                        }
                        if b == 0x0A { line += 1 }
                        content.append(b)
                        i += 1
                    }
                    if !closed {
                        error = error ?? .csvUnterminatedQuote
                    } else if i < n, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A, bytes[i] != 0x0D {
                        error = error ?? .csvStrayQuote(column: i - lineStart(bytes, i) + 1)
                        while i < n, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A { i += 1 }
                    }
                    fields.append(decode(content, &error))
                } else {
                    let start = i
                    while i < n, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A {
                        if bytes[i] == UInt8(ascii: "\"") && error == nil {
                            error = .csvStrayQuote(column: i - lineStart(bytes, i) + 1)
                        }
                        i += 1
                    }
                    var end = i
                    if end > start, bytes[end - 1] == 0x0D, i >= n || bytes[i] == 0x0A { end -= 1 }
                    fields.append(decode(UnsafeBufferPointer(rebasing: bytes[start..<end]), &error))
                }
                if i < n && bytes[i] == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A { i += 1 }
                if i >= n {
                    endOfRecord = true
                } else if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                } else if bytes[i] == 0x0A {
                    i += 1
                    line += 1
                    endOfRecord = true
                } else if bytes[i] == 0x0D {
                    i += 1
                    endOfRecord = true
                }
            }
            if i - recordStart > maxRecordBytes {
                error = .lineTooLong(bytes: i - recordStart, limit: maxRecordBytes)
            }
            // A blank line is no record.
            if fields.count == 1 && fields[0].isEmpty && error == nil { continue }
            out.append(Record(fields: fields, line: recordLine, error: error))
        }
        return (out, line - firstLine)
    }

    private static func lineStart(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var k = i
        while k > 0 && bytes[k - 1] != 0x0A { k -= 1 }
        return k
    }

    private static func decode<C: Collection>(_ bytes: C, _ error: inout EventFormatError?) -> String where C.Element == UInt8 {
        if let bad = firstInvalidUTF8(bytes) {
            error = error ?? .invalidUTF8(byteOffset: bad)
            return ""
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The offset of the first byte that is not part of valid UTF-8, or nil.
func firstInvalidUTF8<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
    var it = bytes.makeIterator()
    var offset = 0
    var pending = 0
    var lo: UInt8 = 0x80
    var hi: UInt8 = 0xBF
    var start = 0
    while let b = it.next() {
        if pending > 0 {
            guard b >= lo && b <= hi else { return start }
            lo = 0x80
            hi = 0xBF
            pending -= 1
        } else if b >= 0x80 {
            start = offset
            switch b {
            case 0xC2...0xDF: pending = 1
            case 0xE0: pending = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: pending = 2
            case 0xED: pending = 2; hi = 0x9F
            case 0xF0: pending = 3; lo = 0x90
            case 0xF1...0xF3: pending = 3
            case 0xF4: pending = 3; hi = 0x8F
            default: return offset
            }
        }
        offset += 1
    }
    return pending > 0 ? start : nil
}

/// Where a chunk of input can be cut so that no record is split.
public enum RecordBoundary {
    /// The index just past the last complete record in `bytes` (0 when there is none yet).
    /// JSON Lines cut after the last newline; CSV after the last newline outside quotes.
    public static func lastCompleteRecordEnd(_ bytes: UnsafeRawBufferPointer, format: InputFormat) -> Int {
        switch format {
        case .jsonLines:
            var k = bytes.count
            while k > 0 {
                if bytes[k - 1] == 0x0A { return k }
                k -= 1
            }
            return 0
        case .csv:
            var inQuotes = false
            var last = 0
            for k in 0..<bytes.count {
                let b = bytes[k]
                if b == UInt8(ascii: "\"") {
                    inQuotes.toggle()
                } else if b == 0x0A && !inQuotes {
                    last = k + 1
                }
            }
            return last
        }
    }
}
