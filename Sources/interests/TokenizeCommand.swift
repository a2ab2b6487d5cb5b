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

    @Option(help: "Threads for --file (the output is the same for any number).")
    var threads = 2

    func validate() throws {
        guard (tokenizer == nil) != (db == nil) else { throw ValidationError("give exactly one of --tokenizer FILE or --db PATH") }
        guard (text == nil) != (file == nil) else { throw ValidationError("give either TEXT or --file F") }
        if let m = maxLength, m < 1 { throw ValidationError("--max-length must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        let tok: Tokenizer
        if let path = tokenizer {
            tok = try InterestMiner.loadTokenizer(file: path)
        } else {
            tok = try InterestMiner(databasePath: db ?? "").storedTokenizer()
        }
        if let text {
            let enc = TokenizerSession(tok).encode(text, addSpecialTokens: special, maxLength: maxLength)
            if json {
                print(EncodingJSON(tok).line(text: text, enc))
            } else {
                let rows = zip(enc.tokens, zip(enc.ids, enc.offsets)).map { token, pair in
                    [token, String(pair.0), "\(pair.1.start)..<\(pair.1.end)"]
                }
                print(Terminal.table(["token", "id", "bytes"], rows))
            }
            return
        }
        let source: IngestSource = file == "-" ? .standardInput : .file(file ?? "")
        try InterestMiner.tokenizeLines(source, tokenizer: tok, addSpecialTokens: special, maxLength: maxLength, threads: threads,
                                        emit: Terminal.writeOut)
    }
}
