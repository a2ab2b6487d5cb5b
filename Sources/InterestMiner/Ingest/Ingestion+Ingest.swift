import EventFormat
import Foundation
import InterestCore
import InterestStore
import TextEmbedding

/// How to ingest.
public struct IngestOptions: Sendable {
    public var parser: EventParserConfiguration
    /// The input format; nil picks it per input: `.csv` files are CSV, everything else JSON Lines.
    public var format: InputFormat?
    /// Stop at the first bad line and write nothing from that input.
    public var strict: Bool
    /// How many rejections are listed in the report (the rest are counted).
    public var listedRejections: Int
    /// Bytes per chunk: each chunk's good events are written in one transaction. Large chunks
    /// (8 MB, ~60k events) amortise each commit's page writes; a killed ingest loses at most the
    /// chunk in flight, which re-running restores.
    public var chunkBytes: Int
    /// A bulk run (the command line sets it, the service not). On SQLite: an empty database (no
    /// events, no text model) is loaded in one transaction with its indexes built at the end —
    /// several times faster for a shop's history; a killed first load leaves nothing, and running
    /// it again does it all; ignored with `strict` and when the database is not empty; other
    /// writers wait for a first load. On PostgreSQL: the run's item-day changes are folded into
    /// `item_day` at its end (`compactItemDays`) instead of by whichever later write crosses
    /// the threshold.
    public var bulk: Bool

    public init(parser: EventParserConfiguration = EventParserConfiguration(), format: InputFormat? = nil,
                strict: Bool = false, listedRejections: Int = 20, chunkBytes: Int = 8 << 20, bulk: Bool = false) {
        self.bulk = bulk
        self.parser = parser
        self.format = format
        self.strict = strict
        self.listedRejections = listedRejections
        self.chunkBytes = chunkBytes
    }
}

/// What an ingest did.
public struct IngestReport: Sendable, Codable, Equatable {
    /// Non-blank records read.
    public var read = 0
    public var inserted = 0
    public var duplicates = 0
    public var updated = 0
    public var rejected = 0
    public var newUsers = 0
    public var newItems = 0
    /// The first rejections as `source:line: reason`.
    public var rejections: [String] = []
    public var seconds = 0.0
    /// True when the run was a first load (`IngestOptions.bulk`): one transaction into an
    /// empty database, indexes built at its end.
    public var firstLoad = false

    public init() {}

    mutating func add(_ o: WriteOutcome) {
        inserted += o.inserted
        duplicates += o.duplicates
        updated += o.itemsUpdated
        newUsers += o.newUsers
        newItems += o.newItems
    }
}

/// Progress of a running ingest.
public struct IngestProgress: Sendable {
    public var source: String
    public var bytesRead: Int
    public var totalBytes: Int?
    public var records: Int
    public var seconds: Double
}

extension Ingestion {
    /// Ingests every source in turn. Each chunk of about `chunkBytes` is parsed on one core while
    /// the previous chunk's good events are written on the other, one transaction per chunk, so
    /// a killed ingest leaves whole chunks behind and re-running it completes it exactly
    /// (events are idempotent by key). Bad lines are collected, never fatal, unless `strict`.
    public func ingest(_ sources: [IngestSource], options: IngestOptions = IngestOptions(),
                       progress: (@Sendable (IngestProgress) -> Void)? = nil) async throws(InterestMinerError) -> IngestReport {
        let clock = ContinuousClock()
        let start = clock.now
        var report = IngestReport()
        var cache = IdentityCache()
        var textModel: LoadedTextModel? = nil
        if let serving { textModel = try serving.loadTextModel() }
        if options.bulk, !options.strict, textModel == nil, try storeAcceptsFirstLoad(),
           try ingestFirstLoad(sources, options: options, cache: &cache, report: &report, progress: { progress?($0) }) {
            report.seconds = (clock.now - start).seconds
            return report
        }
        for source in sources {
            var configuration = options.parser
            configuration.format = options.format ?? Self.detectFormat(source)
            let parser = EventParser(configuration: configuration)
            let reader = try InputReader(source, format: configuration.format,
                                         maxRecordBytes: options.parser.maxLineBytes, chunkBytes: options.chunkBytes)
            var session = ChunkParser(parser: parser, source: source.name, textModel: textModel)
            let reportProgress: (Int) -> Void = { records in
                progress?(IngestProgress(source: source.name, bytesRead: reader.bytesRead, totalBytes: reader.totalBytes,
                                         records: records, seconds: (clock.now - start).seconds))
            }
            if options.strict {
                try ingestStrict(reader: reader, session: &session, cache: &cache, report: &report, progress: reportProgress)
            } else {
                try await ingestPipelined(reader: reader, session: &session, cache: &cache, report: &report,
                                          listed: options.listedRejections, progress: reportProgress)
            }
        }
        // A bulk run's item-day changes folded in one go (PostgreSQL; nothing on SQLite).
        if options.bulk {
            do { try store.compactItemDays() } catch { throw .store(error) }
        }
        report.seconds = (clock.now - start).seconds
        return report
    }

    private func storeAcceptsFirstLoad() throws(InterestMinerError) -> Bool {
        do { return try store.acceptsFirstLoad() } catch { throw .store(error) }
    }

    /// `.csv` names are CSV; everything else, stdin included, JSON Lines.
    static func detectFormat(_ source: IngestSource) -> InputFormat {
        switch source {
        case .file(let p), .bytes(let p, _): p.lowercased().hasSuffix(".csv") ? .csv : .jsonLines
        case .standardInput: .jsonLines
        }
    }

    private func ingestPipelined(reader: InputReader, session: inout ChunkParser, cache: inout IdentityCache,
                                 report: inout IngestReport, listed: Int, progress: (Int) -> Void) async throws(InterestMinerError) {
        guard let first = try reader.next() else { return }
        var parsed = session.prepare(try session.parse(first))
        var lastProgress = ContinuousClock.now
        while true {
            let nextChunk = try reader.next()
            let parser = session
            // Parse the next chunk on another core while this one is written.
            async let upcoming = nextChunk.map { parser.prepare(try parser.parseBody($0)) }
            record(parsed.chunk, into: &report, listed: listed, source: session.source)
            do {
                report.add(try writeChunk(&parsed, session: &session, cache: &cache))
            } catch {
                _ = try? await upcoming
                throw error
            }
            if ContinuousClock.now - lastProgress > .milliseconds(500) {
                progress(report.read)
                lastProgress = .now
            }
            let next: PreparedChunk?
            do { next = try await upcoming } catch let e as InterestMinerError { throw e } catch {
                throw .unreadableInput(source: session.source, reason: "\(error)")
            }
            guard let next else { break }
            parsed = next
        }
        progress(report.read)
    }

    /// Writes one prepared chunk; when a training run activated a new text model after the chunk
    /// was encoded, loads that model, encodes the chunk again and writes it (a few tries), so no
    /// vector of an old encoder lands beside the new generation's.
    private func writeChunk(_ parsed: inout PreparedChunk, session: inout ChunkParser, cache: inout IdentityCache) throws(InterestMinerError) -> WriteOutcome {
        var tries = 0
        while true {
            do {
                return try store.write(parsed.chunk.events, vectors: parsed.vectors, cache: &cache)
            } catch .staleTextModel where tries < 3 {
                tries += 1
                // The active generation's encoder, waited for: a cached model may still be the
                // previous generation's while its replacement loads in the background.
                session.textModel = try serving?.loadTextModel(fresh: true)
                parsed = session.prepare(parsed.chunk)
            } catch {
                throw .store(error)
            }
        }
    }

    private func ingestStrict(reader: InputReader, session: inout ChunkParser, cache: inout IdentityCache,
                              report: inout IngestReport, progress: (Int) -> Void) throws(InterestMinerError) {
        var read = 0
        let source = session.source
        do {
            let outcome = try store.writeInOneTransaction(cache: &cache) { () throws -> ([Event], EventVectors?)? in
                guard let chunk = try reader.next() else { return nil }
                let parsed = try session.parse(chunk)
                if let bad = parsed.rejections.first {
                    throw InterestMinerError.strictRejection(source: source, line: bad.line, bad.error)
                }
                read += parsed.records
                let prepared = session.prepare(parsed)
                return (prepared.chunk.events, prepared.vectors)
            }
            report.read += read
            report.add(outcome)
            progress(report.read)
        } catch let e as InterestMinerError {
            throw e
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            throw .unreadableInput(source: source, reason: "\(error)")
        }
    }

    private func record(_ parsed: ParsedChunk, into report: inout IngestReport, listed: Int, source: String) {
        report.read += parsed.records
        report.rejected += parsed.rejections.count
        for r in parsed.rejections where report.rejections.count < listed {
            report.rejections.append("\(source):\(r.line): \(r.error)")
        }
    }
}

/// A parsed chunk with the text vectors of its events (when a text model exists).
struct PreparedChunk: Sendable {
    var chunk: ParsedChunk
    var vectors: EventVectors?
}

/// Parses the chunks of one input, reading the CSV header from the first, and encodes the
/// texts of new events when the database has a text model (so they get vectors at ingest).
struct ChunkParser: Sendable {
    let parser: EventParser
    let source: String
    var textModel: LoadedTextModel?
    private var header: CSVHeader?

    init(parser: EventParser, source: String, textModel: LoadedTextModel? = nil) {
        self.parser = parser
        self.source = source
        self.textModel = textModel
    }

    /// Adds the vectors of the chunk's reviews, queries and item records.
    func prepare(_ chunk: ParsedChunk) -> PreparedChunk {
        guard let model = textModel else { return PreparedChunk(chunk: chunk, vectors: nil) }
        let texts: [String?] = chunk.events.map { event in
            switch event {
            case .review(let r): r.text
            case .query(let q): q.text
            case .item(let i): Serving.itemText(title: i.title, text: i.text)
            case .interaction: nil
            }
        }
        var encoded = model.encodeForStorage(texts.compactMap { $0 }, threads: model.encoder.ingestThreads).makeIterator()
        var vectors: [[Float]?] = []
        var terms: [String?] = []
        for text in texts {
            let e = text == nil ? nil : encoded.next()
            vectors.append(e?.vector)
            terms.append(e?.terms)
        }
        return PreparedChunk(chunk: chunk, vectors: EventVectors(version: model.version, vectors: vectors, terms: terms, profile: model.profile?.rule,
                                                                 dimension: model.encoder.dimension))
    }

    /// The first chunk of a CSV input sets the header (mutating); later chunks reuse it.
    mutating func parse(_ chunk: InputChunk) throws(InterestMinerError) -> ParsedChunk {
        guard parser.configuration.format == .csv, header == nil else { return try parseBody(chunk) }
        if let long = chunk.skippedLongLine {
            // The reader skipped line 1 for its length: that is the header.
            throw .format(source: source, .csvHeaderInvalid(reason: EventFormatError.lineTooLong(bytes: long.bytes, limit: parser.configuration.maxLineBytes).description))
        }
        let read = chunk.bytes.withUnsafeBytes { raw in
            Result { () throws(EventFormatError) in try parser.readCSVHeader(raw) }
        }
        switch read {
        case .failure(let e):
            throw .format(source: source, e)
        case .success(let (h, used, lines)):
            header = h
            var rest = chunk
            rest.bytes = Array(chunk.bytes[used...])
            rest.firstLine += lines
            rest.isStart = false
            return try parseBody(rest)
        }
    }

    /// Parses a chunk after the header (non-mutating, so it can run on another thread).
    func parseBody(_ chunk: InputChunk) throws(InterestMinerError) -> ParsedChunk {
        var out: ParsedChunk
        switch parser.configuration.format {
        case .jsonLines:
            out = chunk.bytes.withUnsafeBytes { parser.parseJSONLines($0, firstLine: chunk.firstLine, startOfInput: chunk.isStart) }
        case .csv:
            guard let header else { throw .format(source: source, .csvHeaderMissing) }
            out = chunk.bytes.withUnsafeBytes { parser.parseCSV($0, firstLine: chunk.firstLine, header: header) }
        }
        if let long = chunk.skippedLongLine {
            out.records += 1
            out.rejections.insert(LineRejection(line: long.line, error: .lineTooLong(bytes: long.bytes, limit: parser.configuration.maxLineBytes)), at: 0)
        }
        return out
    }
}
