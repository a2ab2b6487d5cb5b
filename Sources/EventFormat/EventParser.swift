import InterestCore

/// The two input formats.
public enum InputFormat: String, Sendable, CaseIterable {
    case jsonLines = "jsonl"
    case csv
}

/// How input lines become events.
public struct EventParserConfiguration: Sendable {
    public var format: InputFormat
    public var mapping: FieldMapping
    /// The type of records that carry none (e.g. `review` for an Amazon dump).
    public var defaultType: EventKind?
    public var timestampUnit: TimestampUnit
    /// Ratings are divided by `ratingScale / 5` (10 for a 10-point scale).
    public var ratingScale: Double
    public var maxLineBytes: Int

    public init(format: InputFormat = .jsonLines, mapping: FieldMapping = FieldMapping(),
                defaultType: EventKind? = nil, timestampUnit: TimestampUnit = .seconds,
                ratingScale: Double = 5, maxLineBytes: Int = 16 << 20) {
        self.format = format
        self.mapping = mapping
        self.defaultType = defaultType
        self.timestampUnit = timestampUnit
        self.ratingScale = ratingScale
        self.maxLineBytes = maxLineBytes
    }
}

/// The result of parsing one chunk of input: the good events in input order, and a rejection
/// for every bad record.
public struct ParsedChunk: Sendable {
    public var events: [Event] = []
    public var rejections: [LineRejection] = []
    /// Non-blank records seen (good + rejected).
    public var records = 0
    /// Physical lines consumed.
    public var lines = 0

    public init() {}
}

/// The column layout of a CSV input, read from its header line.
public struct CSVHeader: Sendable, Equatable {
    /// For each column, the index into the mapping's lookup entries it feeds (nil: ignored).
    let slots: [[Int]]
    public let columns: [String]
}

/// Parses chunks of JSON Lines or CSV into validated events. Pure: no I/O, no shared state, so
/// chunks can be parsed on another thread while the previous one is written.
public struct EventParser: Sendable {
    public let configuration: EventParserConfiguration
    private let scanner: JSONLineScanner
    private let builder: EventBuilder

    public init(configuration: EventParserConfiguration) {
        self.configuration = configuration
        scanner = JSONLineScanner(mapping: configuration.mapping)
        builder = EventBuilder(entries: scanner.entries, defaultType: configuration.defaultType,
                               timestamps: TimestampParser(unit: configuration.timestampUnit),
                               ratingScale: configuration.ratingScale)
    }

    /// Parses complete JSON lines. `bytes` ends at a line boundary or at the end of input.
    /// A UTF-8 byte-order mark at the very start of the input is skipped when `startOfInput`.
    public func parseJSONLines(_ bytes: UnsafeRawBufferPointer, firstLine: Int, startOfInput: Bool = false) -> ParsedChunk {
        var out = ParsedChunk()
        let buf = bytes.bindMemory(to: UInt8.self)
        var values = [RawValue?](repeating: nil, count: scanner.entries.count)
        var start = startOfInput ? bomLength(buf) : 0
        var line = firstLine
        let n = buf.count
        out.events.reserveCapacity(n / 120)
        while start < n {
            var end = start
            while end < n && buf[end] != 0x0A { end += 1 }
            var contentEnd = end
            if contentEnd > start && buf[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            defer {
                start = end + 1
                line += 1
                out.lines += 1
            }
            // Length first: a line the reader skips for its length (blank or not) is rejected
            // the same way when it arrives whole.
            let length = contentEnd - start
            if length > configuration.maxLineBytes {
                out.records += 1
                out.rejections.append(LineRejection(line: line, error: .lineTooLong(bytes: length, limit: configuration.maxLineBytes)))
                continue
            }
            if isBlank(buf, start, contentEnd) { continue }
            out.records += 1
            do {
                try scanner.scan(UnsafeBufferPointer(rebasing: buf[start..<contentEnd]), into: &values)
                out.events.append(try builder.build(values))
            } catch {
                out.rejections.append(LineRejection(line: line, error: error))
            }
        }
        return out
    }

    /// Reads the CSV header from the start of the input. Returns the header and the number of
    /// bytes and lines it used.
    public func readCSVHeader(_ bytes: UnsafeRawBufferPointer) throws(EventFormatError) -> (header: CSVHeader, bytes: Int, lines: Int) {
        let buf = bytes.bindMemory(to: UInt8.self)
        let skip = bomLength(buf)
        var end = skip
        while end < buf.count && buf[end] != 0x0A { end += 1 }
        guard end > skip else { throw .csvHeaderMissing }
        let consumed = min(end + 1, buf.count)
        let (records, _) = CSVScanner.records(UnsafeBufferPointer(rebasing: buf[skip..<consumed]), firstLine: 1, maxRecordBytes: configuration.maxLineBytes)
        guard let rec = records.first, rec.error == nil else {
            throw .csvHeaderInvalid(reason: records.first?.error?.description ?? "it is empty")
        }
        let names = rec.fields.map { Substring($0).trimmingWhitespace() }
        var seen = Set<String>()
        for name in names {
            guard !name.isEmpty else { throw .csvHeaderInvalid(reason: "a column has no name") }
            guard seen.insert(name).inserted else { throw .csvHeaderInvalid(reason: "column '\(name)' appears twice") }
        }
        let slots = names.map { name -> [Int] in
            let key = Array(name.utf8)
            return scanner.entries.indices.filter { scanner.entries[$0].key == key }
        }
        return (CSVHeader(slots: slots, columns: names), consumed, 1)
    }

    /// Parses complete CSV records (after the header).
    public func parseCSV(_ bytes: UnsafeRawBufferPointer, firstLine: Int, header: CSVHeader) -> ParsedChunk {
        var out = ParsedChunk()
        let buf = bytes.bindMemory(to: UInt8.self)
        let (records, lines) = CSVScanner.records(buf, firstLine: firstLine, maxRecordBytes: configuration.maxLineBytes)
        out.lines = lines
        var values = [RawValue?](repeating: nil, count: scanner.entries.count)
        for rec in records {
            out.records += 1
            if let e = rec.error {
                out.rejections.append(LineRejection(line: rec.line, error: e))
                continue
            }
            guard rec.fields.count == header.slots.count else {
                out.rejections.append(LineRejection(line: rec.line, error: .csvFieldCount(expected: header.slots.count, found: rec.fields.count)))
                continue
            }
            for k in values.indices { values[k] = nil }
            for (col, field) in rec.fields.enumerated() where !field.isEmpty {
                for slot in header.slots[col] { values[slot] = .string(field) }
            }
            do {
                out.events.append(try builder.build(values))
            } catch {
                out.rejections.append(LineRejection(line: rec.line, error: error))
            }
        }
        return out
    }

    private func bomLength(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF ? 3 : 0
    }

    private func isBlank(_ buf: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var k = s
        while k < e {
            let b = buf[k]
            if b != 0x20 && b != 0x09 && b != 0x0D { return false }
            k += 1
        }
        return true
    }
}
