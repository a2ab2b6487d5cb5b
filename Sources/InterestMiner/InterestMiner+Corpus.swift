import CorpusGeneration
import Foundation

/// Where a generated corpus went and what it holds.
public struct CorpusReport: Sendable, Codable {
    public var eventsFile: String
    public var groundTruthFile: String
    public var summary: CorpusSummary
    public var seconds: Double
}

extension InterestMiner {
    /// Writes a seeded synthetic world to `directory/events.jsonl` and
    /// `directory/ground_truth.jsonl` (see Corpora/README.md). Needs no database.
    public static func generateCorpus(_ configuration: CorpusConfiguration, to directory: String) throws(InterestMinerError) -> CorpusReport {
        let generator: CorpusGenerator
        do {
            generator = try CorpusGenerator(configuration: configuration)
        } catch {
            throw .invalidArgument(name: "corpus configuration", reason: error.description)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritableOutput(path: directory, reason: error.localizedDescription)
        }
        let eventsPath = (directory as NSString).appendingPathComponent("events.jsonl")
        let truthPath = (directory as NSString).appendingPathComponent("ground_truth.jsonl")
        let clock = ContinuousClock()
        let start = clock.now
        let summary: CorpusSummary
        do {
            let events = try LineWriter(path: eventsPath)
            let truth = try LineWriter(path: truthPath)
            summary = try generator.generate(event: { try events.write($0) }, truth: { try truth.write($0) })
            try events.close()
            try truth.close()
        } catch let e as InterestMinerError {
            throw e
        } catch {
            throw .unwritableOutput(path: directory, reason: "\(error)")
        }
        return CorpusReport(eventsFile: eventsPath, groundTruthFile: truthPath, summary: summary,
                            seconds: (clock.now - start).seconds)
    }
}

/// Buffered line output to a file (1 MB buffer).
final class LineWriter {
    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []

    init(path: String) throws(InterestMinerError) {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw .unwritableOutput(path: path, reason: "cannot create the file")
        }
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ line: String) throws(InterestMinerError) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws(InterestMinerError) {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw .unwritableOutput(path: path, reason: error.localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws(InterestMinerError) {
        try flush()
        try? handle.close()
    }
}
