import Foundation
import Testing

@Suite struct TokenizeCommandTests {
    static let minilm = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TokenizationTests/Fixtures/minilm-tokenizer.json").path
    static let trickyLines = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TokenizationTests/Fixtures/tricky-lines.txt").path

    /// Input with CRLF and LF endings, an empty line, quotes, a backslash, a control character,
    /// Chinese and an emoji, and no final line break; the known answers are HF 0.23.3's
    /// encodings written by Python's json.dumps (offsets in UTF-8 bytes).
    static let input = "She said \"size up\" \\ not down\r\n\nCafé 连衣裙 😀\ntab\there\u{01}"
    static let expected = """
        {"text":"She said \\"size up\\" \\\\ not down","ids":[2016,2056,1000,2946,2039,1000,1032,2025,2091],"tokens":["she","said","\\"","size","up","\\"","\\\\","not","down"],"offsets":[[0,3],[4,8],[9,10],[10,14],[15,17],[17,18],[19,20],[21,24],[25,29]]}
        {"text":"","ids":[],"tokens":[],"offsets":[]}
        {"text":"Café 连衣裙 😀","ids":[7668,100,100,100,100],"tokens":["cafe","[UNK]","[UNK]","[UNK]","[UNK]"],"offsets":[[0,5],[6,9],[9,12],[12,15],[16,20]]}
        {"text":"tab\\there\\u0001","ids":[21628,2182],"tokens":["tab","here"],"offsets":[[0,3],[4,8]]}

        """

    @Test func fileAndStandardInputGiveTheKnownLines() throws {
        let file = CLI.temporaryDirectory().appendingPathComponent("lines.txt")
        try Data(Self.input.utf8).write(to: file)
        for threads in ["1", "2"] {
            let fromFile = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--file", file.path, "--threads", threads])
            #expect(fromFile.status == 0, "\(fromFile.stderr)")
            #expect(fromFile.stdout == Self.expected)
        }
        let fromStdin = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--file", "-"], stdin: Data(Self.input.utf8))
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        #expect(fromStdin.stdout == Self.expected)
        let one = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--json", "Café 连衣裙 😀"])
        #expect(one.stdout == Self.expected.split(separator: "\n")[2] + "\n")
    }

    /// A file of many lines (longer than one part, so both threads work) comes out the same
    /// on one thread and on two, one line out per line in.
    @Test func threadsDoNotChangeTheOutput() throws {
        let tricky = try String(contentsOfFile: Self.trickyLines, encoding: .utf8)
        let file = CLI.temporaryDirectory().appendingPathComponent("many.txt")
        try Data(String(repeating: tricky, count: 12).utf8).write(to: file)
        let one = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--file", file.path, "--special", "--threads", "1"])
        let two = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--file", file.path, "--special", "--threads", "2"])
        #expect(one.status == 0 && two.status == 0, "\(one.stderr) \(two.stderr)")
        #expect(one.stdout == two.stdout)
        let inLines = tricky.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(one.stdout.split(separator: "\n", omittingEmptySubsequences: false).count - 1 == 12 * inLines)
    }

    @Test func badInputIsExplained() throws {
        let missing = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--file", "/nonexistent/lines.txt"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/lines.txt"), "\(missing.stderr)")
        let folder = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--file", NSTemporaryDirectory()])
        #expect(folder.status != 0 && folder.stderr.contains("folder"), "\(folder.stderr)")
        let threads = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--file", "-", "--threads", "0"])
        #expect(threads.status != 0 && threads.stderr.contains("--threads"), "\(threads.stderr)")
        let empty = try CLI.run(["tokenize", "--tokenizer", Self.minilm, "--file", "-"], stdin: Data())
        #expect(empty.status == 0 && empty.stdout.isEmpty, "\(empty.stderr)")
    }
}
