import ArgumentParser
import Foundation
import InterestMiner

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print the text vectors of texts, from a database's text model or a pretrained model directory.",
        discussion: """
            With --db (default interests.sqlite) the database's trained text model encodes, as ingest \
            would; with --model-dir a sentence-transformers model (all-MiniLM-L6-v2) does, no database \
            needed. --text prints one vector (its values on one line, or {"text","vector"} with --json); \
            --file prints one JSON line {"text","vector"} per input line, in order ("vector" is null \
            for a text the model knows nothing in, e.g. a blank line).
            """)

    @Option(help: "The database whose text model encodes (default interests.sqlite).") var db: String?
    @Option(name: .customLong("model-dir"), help: "A sentence-transformers model directory to encode with instead.") var modelDir: String?
    @Option(name: .customLong("max-length"), help: "With --model-dir: longest sequence in tokens (default: the model's).") var maxLength: Int?
    @Option(help: "One text to encode.") var text: String?
    @Option(help: "A file of texts, one a line.") var file: String?
    @Option(help: "Threads.") var threads: Int = 2
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text \"…\" or --file F") }
        guard db == nil || modelDir == nil else { throw ValidationError("give --db or --model-dir, not both") }
        if maxLength != nil && modelDir == nil { throw ValidationError("--max-length applies to --model-dir (a database keeps its own)") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        let texts: [String]
        if let text {
            texts = [text]
        } else {
            guard let data = FileManager.default.contents(atPath: file ?? "") else {
                throw ValidationError("cannot read \(file ?? ""): no such file or not readable")
            }
            texts = InterestMiner.splitLines([UInt8](data), keepEmpty: true)
        }
        let vectors: [[Float]?]
        if let modelDir {
            vectors = try InterestMiner.embed(texts, modelDirectory: modelDir, maxLength: maxLength, threads: threads)
        } else {
            vectors = try InterestMiner(databasePath: db ?? "interests.sqlite").embed(texts, threads: threads)
        }
        if text != nil && !json {
            guard let v = vectors.first ?? nil else {
                print("nothing in the text is known to the text model")
                return
            }
            print(v.map { "\($0)" }.joined(separator: " "))
            return
        }
        var out = ""
        for (t, v) in zip(texts, vectors) {
            out += try Self.jsonLine(text: t, vector: v)
            out += "\n"
            if out.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out = ""
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// {"text":…,"vector":[…]} with each value in Float's shortest round-trip form.
    static func jsonLine(text: String, vector: [Float]?) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let quoted = String(decoding: try encoder.encode(text), as: UTF8.self)
        let values = vector.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" } ?? "null"
        return "{\"text\":\(quoted),\"vector\":\(values)}"
    }
}
