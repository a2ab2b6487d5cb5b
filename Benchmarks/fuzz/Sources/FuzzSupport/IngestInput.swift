@testable import EventFormat
import InterestCore
@testable import InterestMiner

/// The parser settings an input selects with its first byte, so one corpus reaches the ingest
/// options a user can pass: `--ts-unit`, `--type`, `--rating-scale`, `--map` (identity or the
/// Amazon layout), a small `--max-line-bytes`, and the reader's chunk size (small chunks put
/// record boundaries everywhere).
public struct IngestInput {
    public let configuration: EventParserConfiguration
    public let chunkBytes: Int
    public let body: [UInt8]

    public init(_ bytes: [UInt8], format: InputFormat) {
        let s = bytes.first ?? 0
        body = Array(bytes.dropFirst())
        let amazon = try? FieldMapping(parsing: "user=reviewerID,item=asin,rating=overall,text=summary+reviewText,ts=unixReviewTime")
        configuration = EventParserConfiguration(
            format: format,
            mapping: s & 0x10 != 0 ? (amazon ?? FieldMapping()) : FieldMapping(),
            defaultType: [nil, EventKind.review, .interaction, .item][Int(s >> 1) & 3],
            timestampUnit: s & 1 != 0 ? .milliseconds : .seconds,
            ratingScale: s & 8 != 0 ? 10 : 5,
            maxLineBytes: s & 0x20 != 0 ? 48 : 16 << 20)
        chunkBytes = s & 0x40 != 0 ? 16 : 4096
    }

    /// Starts with gzip's magic number (the reader refuses it, the parser alone does not look).
    public var isGzip: Bool { body.count >= 2 && body[0] == 0x1F && body[1] == 0x8B }
}

/// What ingest makes of an input, without the database: the good events in order and the
/// lines it rejects.
public struct IngestOutcome: Equatable {
    public var events: [Event] = []
    public var rejectedLines: [Int] = []
    public var records = 0
}

extension IngestInput {
    /// The façade's own path: `InputReader` cuts the input into chunks of whole records (and
    /// skips over-long ones), `ChunkParser` reads the CSV header and parses each chunk. nil when
    /// the input is refused as a whole (gzip, a bad CSV header).
    public func chunked() -> IngestOutcome? {
        do {
            let reader = try InputReader(.bytes(name: "fuzz", body), format: configuration.format,
                                         maxRecordBytes: configuration.maxLineBytes, chunkBytes: chunkBytes)
            var session = ChunkParser(parser: EventParser(configuration: configuration), source: "fuzz")
            var out = IngestOutcome()
            var lastLine = 0
            while let chunk = try reader.next() {
                guard chunk.firstLine > lastLine else { violated("chunk starts at line \(chunk.firstLine) after line \(lastLine)") }
                let parsed = try session.parse(chunk)
                out.events += parsed.events
                out.rejectedLines += parsed.rejections.map(\.line)
                out.records += parsed.records
                lastLine = chunk.firstLine
            }
            return out
        } catch {
            return nil
        }
    }

    /// The whole input parsed as one chunk by `EventParser` (nil: the CSV header is refused).
    public func whole() -> IngestOutcome? {
        let parser = EventParser(configuration: configuration)
        let parsed: ParsedChunk
        switch configuration.format {
        case .jsonLines:
            parsed = body.withUnsafeBytes { parser.parseJSONLines($0, firstLine: 1, startOfInput: true) }
        case .csv:
            let read = body.withUnsafeBytes { raw in Result { () throws(EventFormatError) in try parser.readCSVHeader(raw) } }
            guard case .success(let (header, used, lines)) = read else { return nil }
            let rest = Array(body[used...])
            parsed = rest.withUnsafeBytes { parser.parseCSV($0, firstLine: 1 + lines, header: header) }
        }
        return IngestOutcome(events: parsed.events, rejectedLines: parsed.rejections.map(\.line), records: parsed.records)
    }

    /// Checks what every accepted event promises (README "Event format"): ids of 1–256 bytes
    /// without control characters, ratings on 0–5, times in 1980–2100, texts not blank.
    public func checkEvents(_ events: [Event]) {
        func id(_ s: String, _ what: String) {
            guard (1...256).contains(s.utf8.count), !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { violated("\(what) id \(s.debugDescription)") }
        }
        func time(_ t: Int64) {
            guard t >= TimestampParser.earliest && t < TimestampParser.latest else { violated("time \(t)") }
        }
        func rating(_ r: Double?) {
            if let r, !(r >= 0 && r <= 5) { violated("rating \(r)") }
        }
        for e in events {
            switch e {
            case .item(let i): id(i.item, "item")
            case .review(let r):
                id(r.user, "user"); id(r.item, "item"); time(r.timestamp); rating(r.rating)
                guard EventBuilder.hasNonWhitespace(r.text) else { violated("blank review text") }
            case .query(let q):
                id(q.user, "user"); time(q.timestamp)
                guard EventBuilder.hasNonWhitespace(q.text) else { violated("blank query text") }
            case .interaction(let i):
                id(i.user, "user"); id(i.item, "item"); time(i.timestamp); rating(i.rating)
            }
        }
    }
}
