import InterestCore

/// Typed access to a JSON object with paths for error messages.
struct JSONReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    func sub(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func optional(_ key: String) -> JSONValue? {
        guard let v = value[key], !v.isNull else { return nil }
        return v
    }

    func required(_ key: String) throws(TokenizationError) -> JSONValue {
        guard let v = optional(key) else { throw .missingField(path: sub(key)) }
        return v
    }

    func string(_ key: String) throws(TokenizationError) -> String {
        let v = try required(key)
        guard let s = v.stringValue else { throw .wrongType(path: sub(key), expected: "a string", found: v.kindName) }
        return s
    }

    func optionalString(_ key: String) throws(TokenizationError) -> String? {
        guard let v = optional(key) else { return nil }
        guard let s = v.stringValue else { throw .wrongType(path: sub(key), expected: "a string", found: v.kindName) }
        return s
    }

    func bool(_ key: String, default d: Bool) throws(TokenizationError) -> Bool {
        guard let v = optional(key) else { return d }
        guard let b = v.boolValue else { throw .wrongType(path: sub(key), expected: "true or false", found: v.kindName) }
        return b
    }

    func optionalBool(_ key: String) throws(TokenizationError) -> Bool? {
        guard let v = optional(key) else { return nil }
        guard let b = v.boolValue else { throw .wrongType(path: sub(key), expected: "true, false or null", found: v.kindName) }
        return b
    }

    func int(_ key: String, default d: Int? = nil) throws(TokenizationError) -> Int {
        guard let v = optional(key) else {
            if let d { return d }
            throw .missingField(path: sub(key))
        }
        guard let i = v.intValue else { throw .wrongType(path: sub(key), expected: "an integer", found: v.kindName) }
        return i
    }

    /// An id or type id: an integer that fits an Int32 (a larger one would trap on conversion).
    func int32(_ key: String, default d: Int32? = nil) throws(TokenizationError) -> Int32 {
        try Self.int32(try int(key, default: d.map(Int.init)), path: sub(key))
    }

    static func int32(_ i: Int, path: String) throws(TokenizationError) -> Int32 {
        guard let v = Int32(exactly: i) else {
            throw .wrongType(path: path, expected: "an integer from \(Int32.min) to \(Int32.max)", found: "\(i)")
        }
        return v
    }

    func array(_ key: String) throws(TokenizationError) -> [JSONValue] {
        let v = try required(key)
        guard let a = v.arrayValue else { throw .wrongType(path: sub(key), expected: "an array", found: v.kindName) }
        return a
    }

    func object(_ key: String) throws(TokenizationError) -> [(String, JSONValue)] {
        let v = try required(key)
        guard let o = v.objectValue else { throw .wrongType(path: sub(key), expected: "an object", found: v.kindName) }
        return o
    }

    func type(kind: String) throws(TokenizationError) -> String {
        guard value.objectValue != nil else { throw .wrongType(path: path, expected: "an object", found: value.kindName) }
        return try string("type")
    }
}

extension Tokenizer {
    /// Reads a Hugging Face `tokenizer.json`. Unsupported components fail with an error naming
    /// them; malformed files with an error naming the field.
    ///
    /// The model's "vocab" and "merges" are read straight from the bytes when they have the
    /// usual shape (see `ModelTables`), else as JSON values; the tokenizer is the same.
    public init(json bytes: [UInt8]) throws(TokenizationError) {
        if let fast = Self.readWithTables(bytes) {
            self = fast
        } else {
            try self.init(values: bytes)
        }
    }

    /// Reads a `tokenizer.json` as JSON values only (what `init(json:)` falls back to).
    init(values bytes: [UInt8]) throws(TokenizationError) {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw .invalidJSON(offset: error.offset, reason: error.reason) }
        try self.init(root: root, tables: nil)
    }

    /// The tokenizer a parsed file describes; `tables` holds the model's vocabulary and merges
    /// when the table reader read them (their values in `value` are then null).
    init(root value: JSONValue, tables: ModelTables?) throws(TokenizationError) {
        let root = JSONReader(value, path: "")
        guard root.value.objectValue != nil else { throw .wrongType(path: "(top level)", expected: "an object", found: root.value.kindName) }
        var added: [AddedToken] = []
        if let list = root.optional("added_tokens") {
            guard let items = list.arrayValue else { throw .wrongType(path: "added_tokens", expected: "an array", found: list.kindName) }
            for (k, item) in items.enumerated() {
                let r = JSONReader(item, path: "added_tokens[\(k)]")
                added.append(AddedToken(
                    id: try r.int32("id"), content: try r.string("content"), singleWord: try r.bool("single_word", default: false),
                    lstrip: try r.bool("lstrip", default: false), rstrip: try r.bool("rstrip", default: false),
                    normalized: try r.bool("normalized", default: true), special: try r.bool("special", default: false)))
            }
        }
        let model = try Self.readModel(JSONReader(try root.required("model"), path: "model"), tables: tables)
        self.init(
            normalizer: try root.optional("normalizer").map { v throws(TokenizationError) in try Self.readNormalizer(JSONReader(v, path: "normalizer")) },
            preTokenizer: try root.optional("pre_tokenizer").map { v throws(TokenizationError) in try Self.readPreTokenizer(JSONReader(v, path: "pre_tokenizer")) },
            model: model,
            postProcessor: try root.optional("post_processor").map { v throws(TokenizationError) in try Self.readPostProcessor(JSONReader(v, path: "post_processor")) },
            decoder: try root.optional("decoder").map { v throws(TokenizationError) in try Self.readDecoder(JSONReader(v, path: "decoder")) },
            addedTokens: added,
            truncation: try root.optional("truncation").map { v throws(TokenizationError) in try Self.readTruncation(JSONReader(v, path: "truncation")) },
            padding: try root.optional("padding").map { v throws(TokenizationError) in try Self.readPadding(JSONReader(v, path: "padding")) })
    }

    static func readNormalizer(_ r: JSONReader) throws(TokenizationError) -> any Normalizer {
        switch try r.type(kind: "normalizer") {
        case "BertNormalizer":
            return BertNormalizer(cleanText: try r.bool("clean_text", default: true), handleChineseChars: try r.bool("handle_chinese_chars", default: true),
                                  stripAccents: try r.optionalBool("strip_accents"), lowercase: try r.bool("lowercase", default: true))
        case "Lowercase": return Lowercase()
        case "StripAccents": return StripAccents()
        case "NFC": return UnicodeNormalizer(.nfc)
        case "NFD": return UnicodeNormalizer(.nfd)
        case "NFKC": return UnicodeNormalizer(.nfkc)
        case "NFKD": return UnicodeNormalizer(.nfkd)
        case "Sequence":
            var list: [any Normalizer] = []
            for (k, v) in try r.array("normalizers").enumerated() {
                list.append(try readNormalizer(JSONReader(v, path: r.sub("normalizers[\(k)]"))))
            }
            return NormalizerSequence(list)
        case let other: throw .unsupportedComponent(kind: "normalizer", type: other)
        }
    }

    static func readPreTokenizer(_ r: JSONReader) throws(TokenizationError) -> any PreTokenizer {
        switch try r.type(kind: "pre_tokenizer") {
        case "BertPreTokenizer": return BertPreTokenizer()
        case "Whitespace": return Whitespace()
        case "WhitespaceSplit": return WhitespaceSplit()
        case "ByteLevel":
            return ByteLevel(addPrefixSpace: try r.bool("add_prefix_space", default: true), trimOffsets: try r.bool("trim_offsets", default: true),
                             useRegex: try r.bool("use_regex", default: true))
        case "Digits": return Digits(individualDigits: try r.bool("individual_digits", default: false))
        case "Sequence":
            var list: [any PreTokenizer] = []
            for (k, v) in try r.array("pretokenizers").enumerated() {
                list.append(try readPreTokenizer(JSONReader(v, path: r.sub("pretokenizers[\(k)]"))))
            }
            return PreTokenizerSequence(list)
        case let other: throw .unsupportedComponent(kind: "pre_tokenizer", type: other)
        }
    }

    static func readVocabulary(_ r: JSONReader, tables: ModelTables?) throws(TokenizationError) -> TokenVocabulary {
        if let tables {
            guard let entries = tables.vocabulary else { throw .missingField(path: r.sub("vocab")) }
            return try vocabulary(entries, r)
        }
        var entries: [(String, Int)] = []
        for (token, v) in try r.object("vocab") {
            guard let id = v.intValue else { throw .wrongType(path: r.sub("vocab.\(token)"), expected: "an integer id", found: v.kindName) }
            entries.append((token, id))
        }
        return try vocabulary(entries, r)
    }

    static func vocabulary(_ entries: [(String, Int)], _ r: JSONReader) throws(TokenizationError) -> TokenVocabulary {
        var tokens = [String?](repeating: nil, count: entries.count)
        for (token, id) in entries {
            guard id >= 0 && id < entries.count else {
                throw .invalidVocabulary(reason: "id \(id) of '\(token)' is outside 0..<\(entries.count); ids must be 0…n-1")
            }
            guard tokens[id] == nil else { throw .invalidVocabulary(reason: "id \(id) is used twice") }
            tokens[id] = token
        }
        return TokenVocabulary(tokens: tokens.map { $0 ?? "" })
    }

    static func readModel(_ r: JSONReader, tables: ModelTables?) throws(TokenizationError) -> any TokenizationModel {
        let type = r.value["type"]?.stringValue ?? (r.value["merges"] != nil ? "BPE" : "WordPiece")
        switch type {
        case "BPE":
            if let d = r.optional("dropout"), let p = d.doubleValue, p > 0 {
                throw .unsupportedComponent(kind: "model", type: "BPE with dropout \(p)")
            }
            let vocab = try readVocabulary(r, tables: tables)
            var merges: [(String, String)] = []
            var pairIDs: [(Int32, Int32)]?
            if let tables {
                // By id: the strings are the vocabulary's own (equal bytes, so equal strings).
                guard let ids = tables.mergeIDs(vocabulary: vocab) else { throw .missingField(path: r.sub("merges")) }
                merges = ids.map { (vocab.tokens[Int($0.0)], vocab.tokens[Int($0.1)]) }
                pairIDs = ids
            } else {
                for (k, m) in try r.array("merges").enumerated() {
                    if let s = m.stringValue {
                        let parts = s.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                        guard parts.count == 2 else { throw .wrongType(path: r.sub("merges[\(k)]"), expected: "\"a b\"", found: "'\(s)'") }
                        merges.append((String(parts[0]), String(parts[1])))
                    } else if let a = m.arrayValue, a.count == 2, let x = a[0].stringValue, let y = a[1].stringValue {
                        merges.append((x, y))
                    } else {
                        throw .wrongType(path: r.sub("merges[\(k)]"), expected: "\"a b\" or [\"a\", \"b\"]", found: m.kindName)
                    }
                }
            }
            return try BPE(vocabulary: vocab, merges: merges, pairIDs: pairIDs, unknownToken: try r.optionalString("unk_token"),
                           continuingSubwordPrefix: try r.optionalString("continuing_subword_prefix"),
                           endOfWordSuffix: try r.optionalString("end_of_word_suffix"), fuseUnknown: try r.bool("fuse_unk", default: false),
                           byteFallback: try r.bool("byte_fallback", default: false), ignoreMerges: try r.bool("ignore_merges", default: false))
        case "WordPiece":
            return try WordPiece(vocabulary: try readVocabulary(r, tables: tables), unknownToken: try r.optionalString("unk_token") ?? "[UNK]",
                                 continuingSubwordPrefix: try r.optionalString("continuing_subword_prefix") ?? "##",
                                 maxInputCharsPerWord: try r.int("max_input_chars_per_word", default: 100))
        case let other: throw .unsupportedComponent(kind: "model", type: other)
        }
    }

    static func readTokenPair(_ r: JSONReader, _ key: String) throws(TokenizationError) -> (String, Int32) {
        let a = try r.array(key)
        guard a.count == 2, let s = a[0].stringValue, let id = a[1].intValue else {
            throw .wrongType(path: r.sub(key), expected: "[\"token\", id]", found: "something else")
        }
        return (s, try JSONReader.int32(id, path: r.sub(key) + "[1]"))
    }

    static func readPostProcessor(_ r: JSONReader) throws(TokenizationError) -> any PostProcessor {
        switch try r.type(kind: "post_processor") {
        case "BertProcessing":
            return BertProcessing(cls: try readTokenPair(r, "cls"), sep: try readTokenPair(r, "sep"))
        case "RobertaProcessing":
            return RobertaProcessing(cls: try readTokenPair(r, "cls"), sep: try readTokenPair(r, "sep"),
                                     trimOffsets: try r.bool("trim_offsets", default: true), addPrefixSpace: try r.bool("add_prefix_space", default: true))
        case "ByteLevel":
            return ByteLevelProcessing(trimOffsets: try r.bool("trim_offsets", default: true))
        case "TemplateProcessing":
            var single: [TemplateProcessing.Piece] = []
            for (k, item) in try r.array("single").enumerated() {
                let ir = JSONReader(item, path: r.sub("single[\(k)]"))
                if let s = ir.optional("SpecialToken") {
                    let sr = JSONReader(s, path: ir.sub("SpecialToken"))
                    single.append(.special(name: try sr.string("id"), typeID: try sr.int32("type_id", default: 0)))
                } else if let s = ir.optional("Sequence") {
                    let sr = JSONReader(s, path: ir.sub("Sequence"))
                    single.append(.sequence(typeID: try sr.int32("type_id", default: 0)))
                } else {
                    throw .wrongType(path: ir.path, expected: "{\"SpecialToken\": …} or {\"Sequence\": …}", found: item.kindName)
                }
            }
            var specials: [(String, [Int32], [String])] = []
            for (name, v) in try r.object("special_tokens") {
                let sr = JSONReader(v, path: r.sub("special_tokens.\(name)"))
                var ids: [Int32] = []
                for (k, v) in try sr.array("ids").enumerated() {
                    guard let i = v.intValue else { throw .wrongType(path: sr.sub("ids[\(k)]"), expected: "an integer id", found: v.kindName) }
                    ids.append(try JSONReader.int32(i, path: sr.sub("ids[\(k)]")))
                }
                let toks = try sr.array("tokens").compactMap(\.stringValue)
                specials.append((name, ids, toks))
            }
            return TemplateProcessing(single: single, pair: (try? r.array("pair")) ?? [], specialTokens: specials)
        case "Sequence":
            var list: [any PostProcessor] = []
            for (k, v) in try r.array("processors").enumerated() {
                list.append(try readPostProcessor(JSONReader(v, path: r.sub("processors[\(k)]"))))
            }
            return PostProcessorSequence(list)
        case let other: throw .unsupportedComponent(kind: "post_processor", type: other)
        }
    }

    static func readDecoder(_ r: JSONReader) throws(TokenizationError) -> any Decoder {
        switch try r.type(kind: "decoder") {
        case "WordPiece":
            return WordPieceDecoder(prefix: try r.optionalString("prefix") ?? "##", cleanup: try r.bool("cleanup", default: true))
        case "ByteLevel": return ByteLevelDecoder()
        case "BPEDecoder": return BPEDecoder(suffix: try r.optionalString("suffix") ?? "</w>")
        case "Sequence":
            var list: [any Decoder] = []
            for (k, v) in try r.array("decoders").enumerated() {
                list.append(try readDecoder(JSONReader(v, path: r.sub("decoders[\(k)]"))))
            }
            return DecoderSequence(list)
        case let other: throw .unsupportedComponent(kind: "decoder", type: other)
        }
    }

    static func readTruncation(_ r: JSONReader) throws(TokenizationError) -> TruncationParameters {
        TruncationParameters(maxLength: try r.int("max_length"), stride: try r.int("stride", default: 0),
                             strategy: try r.optionalString("strategy") ?? "LongestFirst", direction: try r.optionalString("direction") ?? "Right")
    }

    static func readPadding(_ r: JSONReader) throws(TokenizationError) -> PaddingParameters {
        var fixed: Int?
        if let s = r.optional("strategy"), let f = s["Fixed"]?.intValue { fixed = f }
        return PaddingParameters(fixedLength: fixed, direction: try r.optionalString("direction") ?? "Right",
                                 padToMultipleOf: r.optional("pad_to_multiple_of")?.intValue, padID: try r.int32("pad_id", default: 0),
                                 padTypeID: try r.int32("pad_type_id", default: 0), padToken: try r.optionalString("pad_token") ?? "[PAD]")
    }
}
