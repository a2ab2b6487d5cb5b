import Dispatch
import EventFormat
import InterestCore
import InterestStore

extension Ingestion {
    /// A first load (`IngestOptions.bulk`): every source into an empty database without a
    /// text model, in one transaction whose secondary indexes are built once at its end (see
    /// `InterestStore.writeFirstLoad`, `PostgresStore.writeFirstLoad`). Chunks are parsed one ahead on another thread while the
    /// writer inserts. An input that cannot be read stops the load after the events read before
    /// it are committed, as the chunked path would have kept them. Returns false, having read
    /// nothing, when the database is no longer empty (the caller ingests the usual way).
    func ingestFirstLoad(_ sources: [IngestSource], options: IngestOptions, cache: inout IdentityCache,
                         report: inout IngestReport, progress: (IngestProgress) -> Void) throws(InterestMinerError) -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        let stream = ChunkStream(sources: sources, options: options)
        var stopped: InterestMinerError?
        var lastProgress = clock.now
        var loaded = IngestReport()
        let result: FirstLoadOutcome?
        do {
            result = try store.writeFirstLoad(cache: &cache) { () -> [Event]? in
                let item: ChunkStream.Item?
                do throws(InterestMinerError) { item = try stream.next() } catch {
                    stopped = error
                    return nil
                }
                guard let item else { return nil }
                loaded.read += item.chunk.records
                loaded.rejected += item.chunk.rejections.count
                for r in item.chunk.rejections where loaded.rejections.count < options.listedRejections {
                    loaded.rejections.append("\(item.source):\(r.line): \(r.error)")
                }
                if clock.now - lastProgress > .milliseconds(500) {
                    progress(IngestProgress(source: item.source, bytesRead: item.bytesRead, totalBytes: item.totalBytes,
                                            records: report.read + loaded.read, seconds: (clock.now - start).seconds))
                    lastProgress = clock.now
                }
                return item.chunk.events
            }
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            // `next` keeps its own errors (`stopped`); anything else came from the store's driver.
            let operation = "loading events into an empty database"
            throw .store(store is InterestStore ? .sqlite(operation: operation, message: "\(error)")
                                                : .postgres(operation: operation, message: "\(error)", sqlState: nil))
        }
        guard let result else { return false }
        report.read += loaded.read
        report.rejected += loaded.rejected
        report.rejections += loaded.rejections.prefix(max(0, options.listedRejections - report.rejections.count))
        report.add(result.outcome)
        report.firstLoad = true
        if let stopped { throw stopped }
        return true
    }
}

/// The parsed chunks of several inputs in turn, each next one parsed on another thread while
/// the caller writes the current one. Not for concurrent callers: one consumer calls `next`.
final class ChunkStream: @unchecked Sendable {
    struct Item: Sendable {
        var chunk: ParsedChunk
        var source: String
        var bytesRead: Int
        var totalBytes: Int?
    }

    private let sources: [IngestSource]
    private let options: IngestOptions
    private var index = 0
    /// The input being read (opened when its turn comes, as the chunked path opens it).
    private var input: (reader: InputReader, session: ChunkParser)?
    /// The chunk being parsed ahead, with the signal that it is ready.
    private var ahead: (ready: DispatchSemaphore, result: Box)?

    private final class Box: @unchecked Sendable {
        var value: Result<Item?, InterestMinerError> = .success(nil)
    }

    init(sources: [IngestSource], options: IngestOptions) {
        self.sources = sources
        self.options = options
    }

    /// The next parsed chunk of any input, or nil at the end of the last one.
    func next() throws(InterestMinerError) -> Item? {
        let current: Result<Item?, InterestMinerError>
        if let (ready, box) = ahead {
            ready.wait()
            current = box.value
        } else {
            current = Result { () throws(InterestMinerError) in try produce() }
        }
        ahead = nil
        let item = try current.get()
        if item != nil {
            let ready = DispatchSemaphore(value: 0)
            let box = Box()
            ahead = (ready, box)
            DispatchQueue.global().async { [self] in
                box.value = Result { () throws(InterestMinerError) in try produce() }
                ready.signal()
            }
        }
        return item
    }

    /// Reads and parses the next chunk (one call at a time: `next` waits for the one ahead).
    private func produce() throws(InterestMinerError) -> Item? {
        while index < sources.count {
            let current: (reader: InputReader, session: ChunkParser)
            if let input {
                current = input
            } else {
                var configuration = options.parser
                configuration.format = options.format ?? Ingestion.detectFormat(sources[index])
                let reader = try InputReader(sources[index], format: configuration.format,
                                             maxRecordBytes: options.parser.maxLineBytes, chunkBytes: options.chunkBytes)
                current = (reader, ChunkParser(parser: EventParser(configuration: configuration), source: sources[index].name))
            }
            if let chunk = try current.reader.next() {
                var session = current.session
                let parsed = try session.parse(chunk)
                input = (current.reader, session)
                return Item(chunk: parsed, source: session.source, bytesRead: current.reader.bytesRead,
                            totalBytes: current.reader.totalBytes)
            }
            input = nil
            index += 1
        }
        return nil
    }
}
