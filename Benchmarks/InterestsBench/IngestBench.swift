import ArgumentParser
import EventFormat
import Foundation
import InterestCore
import InterestMiner
import InterestStore

/// Ingest throughput against the physical limit: the full `interests ingest` path (read, parse,
/// validate, hash, resolve ids, insert) on a JSON Lines file, and in the same run the raw SQLite
/// insert of the same rows into the same schema (ids pre-resolved, prepared statements, one
/// transaction per batch); and the first load of the same file (`IngestOptions.firstLoad`: one
/// transaction, indexes built at its end), which is what `interests ingest` does with an empty
/// database. Each into a fresh database in a temporary folder.
struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Ingest events/s vs raw SQLite inserts/s.")

    @Argument(help: "A JSON Lines event file (e.g. made by `interests corpus generate`).")
    var file: String

    @Option(help: "Repetitions (the median is reported).")
    var runs: Int = 3

    @Option(help: "Rows per transaction in the raw insert (default: as many as ingest puts in one 8 MB chunk of this file).")
    var batch: Int?

    @Flag(help: "Print JSON.")
    var json = false

    struct Result: Codable {
        var events: Int
        var ingestSeconds: [Double]
        var ingestEventsPerSecond: Double
        var firstLoadSeconds: [Double]
        var firstLoadEventsPerSecond: Double
        var rawRows: Int
        var rawSeconds: [Double]
        var rawRowsPerSecond: Double
        var ratio: Double
        var firstLoadRatio: Double
    }

    func run() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        // Parse once for the raw side (untimed).
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        let parsed = bytes.withUnsafeBytes { EventParser(configuration: EventParserConfiguration()).parseJSONLines($0, firstLine: 1, startOfInput: true) }
        guard parsed.rejections.isEmpty else {
            throw ValidationError("\(file) has \(parsed.rejections.count) bad lines, e.g. \(parsed.rejections[0])")
        }
        let chunkBytes = IngestOptions().chunkBytes
        let rowsPerTransaction = batch ?? max(1, Int(Double(parsed.records) * Double(chunkBytes) / Double(max(bytes.count, 1))))
        if !json { print("\(parsed.records) events, \(bytes.count) bytes; raw insert commits every \(rowsPerTransaction) rows") }
        var ingestTimes: [Double] = []
        var firstLoadTimes: [Double] = []
        var rawTimes: [Double] = []
        var rawRows = 0
        for r in 0..<runs {
            let miner = try InterestMiner(databasePath: dir.appendingPathComponent("ingest-\(r).sqlite").path)
            let report = try await miner.ingest([.file(file)])
            let loader = try InterestMiner(databasePath: dir.appendingPathComponent("load-\(r).sqlite").path)
            let load = try await loader.ingest([.file(file)], options: IngestOptions(bulk: true))
            for (name, done) in [("ingest", report), ("first load", load)] where done.inserted + done.duplicates != parsed.records {
                throw ValidationError("\(name) wrote \(done.inserted) + \(done.duplicates) of \(parsed.records)")
            }
            guard load.firstLoad else { throw ValidationError("the first load went the chunked way") }
            ingestTimes.append(report.seconds)
            firstLoadTimes.append(load.seconds)
            let raw = try RawInsertMeasurement.measure(path: dir.appendingPathComponent("raw-\(r).sqlite").path, parsed.events,
                                                       batchSize: rowsPerTransaction)
            rawTimes.append(raw.seconds)
            rawRows = raw.rows
            if !json {
                print(String(format: "run %d: ingest %.2f s (%.0f events/s), first load %.2f s (%.0f events/s), raw %.2f s (%.0f rows/s)",
                             r + 1, report.seconds, Double(parsed.records) / report.seconds, load.seconds,
                             Double(parsed.records) / load.seconds, raw.seconds, raw.rowsPerSecond))
            }
        }
        let ingestMedian = Median.of(ingestTimes)
        let rawMedian = Median.of(rawTimes)
        let loadMedian = Median.of(firstLoadTimes)
        let rawRate = Double(rawRows) / rawMedian
        let result = Result(
            events: parsed.records, ingestSeconds: ingestTimes, ingestEventsPerSecond: Double(parsed.records) / ingestMedian,
            firstLoadSeconds: firstLoadTimes, firstLoadEventsPerSecond: Double(parsed.records) / loadMedian,
            rawRows: rawRows, rawSeconds: rawTimes, rawRowsPerSecond: rawRate,
            ratio: (Double(parsed.records) / ingestMedian) / rawRate, firstLoadRatio: (Double(parsed.records) / loadMedian) / rawRate)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(result), as: UTF8.self))
        } else {
            print(String(format: "median: ingest %.0f events/s, first load %.0f events/s, raw SQLite %.0f rows/s; ratios to raw %.2f and %.2f (%d events)",
                         result.ingestEventsPerSecond, result.firstLoadEventsPerSecond, result.rawRowsPerSecond, result.ratio,
                         result.firstLoadRatio, result.events))
        }
    }
}
