import ArgumentParser
import Foundation
import InterestMiner
import Tokenization

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize text with a tokenizer.json or the database's trained tokenizer.",
        discussion: """
            With --file, prints one JSON line per input line: {"text","ids","tokens","offsets"} \
            (offsets are UTF-8 byte ranges into the text). Ids carry no special tokens unless \
            --special asks for the post-processor's (Hugging Face's add_special_tokens).
            """)

    @Option(help: "A Hugging Face tokenizer.json file.")
    var tokenizer: String?

    @Option(help: "Use the tokenizer trained into this database (by `interests train`).")
    var db: String?

    @Argument(help: "Text to tokenize.")
    var text: String?

    @Option(help: "Tokenize every line of this file (- for stdin).")
    var file: String?

    @Flag(help: "Add the post-processor's special tokens (e.g. [CLS] … [SEP]).")
    var special = false

    @Option(name: .customLong("max-length"), help: "Truncate to this many tokens (special tokens included).")
    var maxLength: Int?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (tokenizer == nil) != (db == nil) else { throw ValidationError("give exactly one of --tokenizer FILE or --db PATH") }
        guard (text == nil) != (file == nil) else { throw ValidationError("give either TEXT or --file F") }
        if let m = maxLength, m < 1 { throw ValidationError("--max-length must be at least 1") }
    }

    func run() async throws {
        let tok: Tokenizer
        if let path = tokenizer {
            tok = try InterestMiner.loadTokenizer(file: path)
        } else {
            tok = try InterestMiner(databasePath: db ?? "").storedTokenizer()
        }
        let session = TokenizerSession(tok)
        if let text {
            let enc = session.encode(text, addSpecialTokens: special, maxLength: maxLength)
            if json {
                print(Self.jsonLine(text, enc))
            } else {
                let rows = zip(enc.tokens, zip(enc.ids, enc.offsets)).map { token, pair in
                    [token, String(pair.0), "\(pair.1.start)..<\(pair.1.end)"]
                }
                print(Terminal.table(["token", "id", "bytes"], rows))
            }
            return
        }
        let handle: FileHandle
        if file == "-" {
            handle = .standardInput
        } else if let path = file, let h = FileHandle(forReadingAtPath: path) {
            handle = h
        } else {
            throw ValidationError("cannot read \(file ?? "")")
        }
        let data = handle.readDataToEndOfFile()
        var out = ""
        out.reserveCapacity(data.count * 4)
        for text in InterestMiner.splitLines([UInt8](data), keepEmpty: true) {
            out += Self.jsonLine(text, session.encode(text, addSpecialTokens: special, maxLength: maxLength))
            out += "\n"
            if out.utf8.count > 1 << 20 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out = ""
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    static func jsonLine(_ text: String, _ enc: Encoding) -> String {
        let value: JSONValue = .object([
            ("text", .string(text)),
            ("ids", .array(enc.ids.map { .int(Int($0)) })),
            ("tokens", .array(enc.tokens.map { .string($0) })),
            ("offsets", .array(enc.offsets.map { .array([.int($0.start), .int($0.end)]) })),
        ])
        return value.serialized(pretty: false)
    }
}
