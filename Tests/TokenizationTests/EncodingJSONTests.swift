import Foundation
import InterestCore
import Testing
@testable import Tokenization

/// The JSON lines of `interests tokenize --json/--file`: byte for byte what Hugging Face
/// `tokenizers` plus Python's json.dumps(ensure_ascii=False, separators=(",", ":")) write for
/// the same text (with HF's character offsets turned into UTF-8 byte offsets), whatever the
/// text holds, and the same for any number of threads.
@Suite struct EncodingJSONTests {
    /// (text, special tokens, the line) from HF 0.23.3 with the MiniLM tokenizer.json
    /// (truncation and padding off) and json.dumps, offsets in bytes.
    static let knownAnswers: [(String, Bool, String)] = [
        (#"She said "size up" \ not down"#, false,
         #"{"text":"She said \"size up\" \\ not down","ids":[2016,2056,1000,2946,2039,1000,1032,2025,2091],"tokens":["she","said","\"","size","up","\"","\\","not","down"],"offsets":[[0,3],[4,8],[9,10],[10,14],[15,17],[17,18],[19,20],[21,24],[25,29]]}"#),
        ("tab\there\u{01}\u{1F} end\r", false,
         #"{"text":"tab\there\u0001\u001f end\r","ids":[21628,2182,2203],"tokens":["tab","here","end"],"offsets":[[0,3],[4,8],[11,14]]}"#),
        ("连衣裙很漂亮 😀 Café", false,
         #"{"text":"连衣裙很漂亮 😀 Café","ids":[100,100,100,100,100,100,100,7668],"tokens":["[UNK]","[UNK]","[UNK]","[UNK]","[UNK]","[UNK]","[UNK]","cafe"],"offsets":[[0,3],[3,6],[6,9],[9,12],[12,15],[15,18],[19,23],[24,29]]}"#),
        ("", false, #"{"text":"","ids":[],"tokens":[],"offsets":[]}"#),
        ("[CLS] \"", false, #"{"text":"[CLS] \"","ids":[101,1000],"tokens":["[CLS]","\""],"offsets":[[0,5],[6,7]]}"#),
        (#"\\"#, false, #"{"text":"\\\\","ids":[1032,1032],"tokens":["\\","\\"],"offsets":[[0,1],[1,2]]}"#),
        (#"She said "size up" \ not down"#, true,
         #"{"text":"She said \"size up\" \\ not down","ids":[101,2016,2056,1000,2946,2039,1000,1032,2025,2091,102],"tokens":["[CLS]","she","said","\"","size","up","\"","\\","not","down","[SEP]"],"offsets":[[0,0],[0,3],[4,8],[9,10],[10,14],[15,17],[17,18],[19,20],[21,24],[25,29],[0,0]]}"#),
        ("", true, #"{"text":"","ids":[101,102],"tokens":["[CLS]","[SEP]"],"offsets":[[0,0],[0,0]]}"#),
        ("[CLS] \"", true,
         #"{"text":"[CLS] \"","ids":[101,101,1000,102],"tokens":["[CLS]","[CLS]","\"","[SEP]"],"offsets":[[0,0],[0,5],[6,7],[0,0]]}"#),
    ]

    @Test func linesMatchHuggingFaceAndJSONDumps() throws {
        let tok = try loadTokenizer(fixture: "minilm-tokenizer.json")
        let format = EncodingJSON(tok)
        let session = TokenizerSession(tok)
        for (text, special, expected) in Self.knownAnswers {
            #expect(format.line(text: text, session.encode(text, addSpecialTokens: special)) == expected, "\(text.debugDescription)")
        }
    }

    /// The 415 tricky lines (control characters, NUL, BOM, RTL, emoji, every script): our line
    /// without its offsets equals the fixture's HF record without ids_special, byte for byte —
    /// so text, ids and tokens are escaped exactly as Python's json.dumps escapes them (the
    /// fixtures escape U+0085, U+2028 and U+2029 besides, which json.dumps and we write raw).
    @Test(arguments: ["minilm-tokenizer.json", "bytelevel-bpe.json"])
    func trickyLinesAreEscapedLikeJSONDumps(tokenizer: String) throws {
        let tok = try loadTokenizer(fixture: tokenizer)
        let expected = tokenizer == "minilm-tokenizer.json" ? "expected-minilm.jsonl" : "expected-bytelevel.jsonl"
        let records = try String(contentsOf: fixture(expected), encoding: .utf8).split(separator: "\n").map(String.init)
        try #require(records.count == 415)
        let format = EncodingJSON(tok)
        let session = TokenizerSession(tok)
        var differing = 0
        for record in records {
            let text = try #require(JSONValue.parse(record)["text"]?.stringValue)
            let ours = format.line(text: text, session.encode(text))
            // HF: {"text",…,"ids",…,"ids_special",…,"tokens",…}; ours: {"text","ids","tokens","offsets"}.
            let hf = try #require(Self.removing(from: record, #","ids_special":"#, upTo: #","tokens":"#))
            // The fixtures escape the three characters some line readers break at (make_fixtures.py).
            let mine = try #require(Self.removing(from: ours, #","offsets":"#, upTo: nil))
                .replacingOccurrences(of: "\u{85}", with: #"\u0085"#).replacingOccurrences(of: "\u{2028}", with: #"\u2028"#)
                .replacingOccurrences(of: "\u{2029}", with: #"\u2029"#)
            if hf != mine {
                differing += 1
                if differing <= 3 { Issue.record("\(text.debugDescription): ours \(mine) HF \(hf)") }
            }
        }
        #expect(differing == 0)
    }

    /// `line` without the member that starts at `key` (up to `next`, or to the closing brace).
    /// Keys cannot occur inside strings: a quote there is escaped.
    static func removing(from line: String, _ key: String, upTo next: String?) -> String? {
        guard let start = line.range(of: key) else { return nil }
        guard let next else { return String(line[..<start.lowerBound]) + "}" }
        guard let end = line.range(of: next, range: start.upperBound..<line.endIndex) else { return nil }
        return String(line[..<start.lowerBound]) + String(line[end.lowerBound...])
    }

    /// Each line reads back (our own JSON parser) as the encoding's ids, tokens and offsets.
    @Test func linesReadBackAsTheEncoding() throws {
        let tok = try loadTokenizer(fixture: "bytelevel-bpe.json")
        let format = EncodingJSON(tok)
        for text in try SessionTests.trickyLines() + SessionTests.phrases {
            let enc = tok.encode(text, addSpecialTokens: true)
            let value = try JSONValue.parse(format.line(text: text, enc))
            #expect(value["text"]?.stringValue == text)
            #expect(value["ids"]?.arrayValue?.compactMap(\.intValue) == enc.ids.map { Int($0) })
            #expect(value["tokens"]?.arrayValue?.compactMap(\.stringValue) == enc.tokens)
            #expect(value["offsets"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.intValue) ?? [] } == enc.offsets.map { [$0.start, $0.end] })
        }
    }

    /// The format written before `EncodingJSON`: a `JSONValue` object serialized compactly.
    @Test func linesEqualTheJSONValueForm() throws {
        let tok = try loadTokenizer(fixture: "minilm-tokenizer.json")
        let format = EncodingJSON(tok)
        for text in try SessionTests.trickyLines() + SessionTests.phrases + [""] {
            let enc = tok.encode(text, addSpecialTokens: true)
            let value: JSONValue = .object([
                ("text", .string(text)),
                ("ids", .array(enc.ids.map { .int(Int($0)) })),
                ("tokens", .array(enc.tokens.map { .string($0) })),
                ("offsets", .array(enc.offsets.map { .array([.int($0.start), .int($0.end)]) })),
            ])
            #expect(format.line(text: text, enc) == value.serialized(pretty: false))
        }
    }

    /// Added tokens may carry any id a file gives them, far past the vocabulary or negative:
    /// their names still come out, and the table does not grow to the largest id.
    @Test func addedTokensWithOutlyingIDsKeepTheirNames() throws {
        let base = try loadTokenizer(fixture: "minilm-tokenizer.json")
        let tok = Tokenizer(normalizer: base.normalizer, preTokenizer: base.preTokenizer, model: base.model,
                            postProcessor: base.postProcessor, decoder: base.decoder,
                            addedTokens: base.addedTokens + [AddedToken(id: 2_000_000_000, content: "<far \"away\">"),
                                                             AddedToken(id: -7, content: "<below>")])
        let text = "a <far \"away\"> b <below>"
        let enc = tok.encode(text)
        #expect(enc.ids.contains(2_000_000_000) && enc.ids.contains(-7))
        #expect(EncodingJSON(tok).line(text: text, enc)
            == #"{"text":"a <far \"away\"> b <below>","ids":[1037,2000000000,1038,-7],"tokens":["a","<far \"away\">","b","<below>"],"offsets":[[0,1],[2,14],[15,16],[17,24]]}"#)
    }

    /// One thread or two, parts of one line or of many: the same bytes as encoding line by line.
    @Test(arguments: [(1, 1 << 16), (2, 1), (2, 200), (3, 1 << 16)])
    func batchesMatchLineByLine(threads: Int, partBytes: Int) throws {
        let tok = try loadTokenizer(fixture: "minilm-tokenizer.json")
        let lines = try SessionTests.trickyLines() + ["", "", "last"] + SessionTests.phrases
        var expected = JSONWriter()
        let format = EncodingJSON(tok)
        for text in lines {
            format.append(text: text, tok.encode(text, addSpecialTokens: true, maxLength: 12), to: &expected)
            expected.appendRaw(UInt8(ascii: "\n"))
        }
        let encoder = JSONLinesEncoder(tok, addSpecialTokens: true, maxLength: 12, threads: threads, partBytes: partBytes)
        // Twice: the second batch runs on warm sessions.
        for _ in 0..<2 {
            let blocks = encoder.encode(lines)
            #expect(blocks.flatMap { $0 } == expected.bytes)
        }
        #expect(encoder.encode([]).isEmpty)
    }
}
