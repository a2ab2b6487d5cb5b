import EventFormat
import Foundation
import InterestStore
import Tokenization

extension InterestMiner {
    /// Reads a Hugging Face `tokenizer.json` file.
    public static func loadTokenizer(file path: String) throws(InterestMinerError) -> Tokenizer {
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadableInput(source: path, reason: (error as NSError).localizedDescription)
        }
        do {
            return try Tokenizer(json: bytes)
        } catch {
            throw .tokenizer(source: path, error)
        }
    }

    /// Writes a tokenizer as `tokenizer.json`.
    public static func saveTokenizer(_ tokenizer: Tokenizer, to path: String) throws(InterestMinerError) {
        do {
            try Data(tokenizer.serializedJSON()).write(to: URL(fileURLWithPath: path))
        } catch {
            throw .unwritableOutput(path: path, reason: (error as NSError).localizedDescription)
        }
    }
}

extension Serving {
    /// The tokenizer `interests train` stored in the database.
    public func storedTokenizer() throws(InterestMinerError) -> Tokenizer {
        let payload: [UInt8]?
        do {
            payload = try store.latestModel(kind: ModelKind.tokenizer)?.payload
        } catch {
            throw .store(error)
        }
        guard let payload else {
            throw .missing(what: "\(databasePath) has no trained tokenizer", hint: "run `interests train --db \(databasePath)` first, or pass --tokenizer FILE")
        }
        do {
            return try Tokenizer(json: payload)
        } catch {
            throw .tokenizer(source: "\(databasePath) (stored tokenizer)", error)
        }
    }
}

extension ModelKind {
    static let tokenizer = "tokenizer"
}

/// Settings for `interests tokenizer train` and the tokenizer step of `interests train`.
public struct TokenizerTrainingOptions: Sendable {
    public var recipe: TokenizerRecipe
    public var vocabularySize: Int
    public var minFrequency: Int
    public var limitAlphabet: Int?
    public var threads: Int

    public init(recipe: TokenizerRecipe = .bpe, vocabularySize: Int = 16_000, minFrequency: Int = 2,
                limitAlphabet: Int? = nil, threads: Int = 2) {
        self.recipe = recipe
        self.vocabularySize = vocabularySize
        self.minFrequency = minFrequency
        self.limitAlphabet = limitAlphabet
        self.threads = threads
    }
}

extension InterestMiner {
    /// Reads text files (one document a line; LF or CRLF) for tokenizer training; blank
    /// lines are skipped.
    public static func readLines(_ paths: [String]) throws(InterestMinerError) -> [String] {
        var lines: [String] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .unreadableInput(source: path, reason: "no such file or not readable")
            }
            lines += splitLines([UInt8](data), keepEmpty: false)
        }
        return lines
    }

    /// Splits UTF-8 bytes into lines at LF, dropping a CR before it. (Splitting a `String` on
    /// "\n" would not: "\r\n" is a single Character.)
    public static func splitLines(_ bytes: [UInt8], keepEmpty: Bool) -> [String] {
        var out: [String] = []
        var start = 0
        func add(_ end: Int) {
            var e = end
            if e > start && bytes[e - 1] == 0x0D { e -= 1 }
            if keepEmpty || e > start { out.append(String(decoding: bytes[start..<e], as: UTF8.self)) }
        }
        for (i, b) in bytes.enumerated() where b == 0x0A {
            add(i)
            start = i + 1
        }
        if start < bytes.count { add(bytes.count) }
        return out
    }

    /// Tokenizes every line of `source` (split as `splitLines` does, empty lines kept) into
    /// `EncodingJSON` lines, each ended by "\n", and hands them to `emit` in input order, a block
    /// of bytes at a time. The input is read in chunks of whole lines and each chunk is encoded
    /// on `threads` threads, so memory stays near a chunk and its output however long the input.
    public static func tokenizeLines(_ source: IngestSource, tokenizer: Tokenizer, addSpecialTokens: Bool = false,
                                     maxLength: Int? = nil, threads: Int = 2,
                                     emit: ([UInt8]) throws -> Void) throws(InterestMinerError) {
        // Lines are never skipped for length: a line is one text, however long.
        let reader = try InputReader(source, format: .jsonLines, maxRecordBytes: Int.max / 4, chunkBytes: 2 << 20)
        let encoder = JSONLinesEncoder(tokenizer, addSpecialTokens: addSpecialTokens, maxLength: maxLength, threads: threads)
        while let chunk = try reader.next() {
            for block in encoder.encode(splitLines(chunk.bytes, keepEmpty: true)) {
                do {
                    try emit(block)
                } catch let e as InterestMinerError {
                    throw e
                } catch {
                    throw .unwritableOutput(path: "tokenized lines", reason: "\(error)")
                }
            }
        }
    }

    /// Trains a tokenizer on lines of text.
    public static func trainTokenizer(lines: [String], options: TokenizerTrainingOptions) throws(InterestMinerError) -> Tokenizer {
        do {
            return try options.recipe.train(lines: lines, vocabularySize: options.vocabularySize, minFrequency: options.minFrequency,
                                            limitAlphabet: options.limitAlphabet, threads: options.threads)
        } catch {
            throw .tokenizer(source: "tokenizer training", error)
        }
    }
}
