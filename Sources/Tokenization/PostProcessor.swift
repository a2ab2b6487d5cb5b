import InterestCore

/// The post-processing stage: adds special tokens ([CLS] … [SEP]) and fixes offsets (HF
/// post-processors). Applied only when the caller asks for special tokens, except offset
/// trimming, which byte-level processors always do.
public protocol PostProcessor: Sendable {
    /// How many tokens `process` adds to one sequence.
    func addedTokenCount() -> Int
    func process(_ encoding: Encoding, addSpecialTokens: Bool) -> Encoding
    var json: JSONValue { get }
}

/// BERT's `[CLS] A [SEP]`.
public struct BertProcessing: PostProcessor {
    public let cls: (String, Int32)
    public let sep: (String, Int32)
    public init(cls: (String, Int32), sep: (String, Int32)) {
        self.cls = cls
        self.sep = sep
    }
    public func addedTokenCount() -> Int { 2 }
    public func process(_ encoding: Encoding, addSpecialTokens: Bool) -> Encoding {
        guard addSpecialTokens else { return encoding }
        var out = Encoding(names: encoding.names, capacity: encoding.count + 2)
        out.append(cls.1, TokenSpan(0, 0), special: true)
        out.appendAll(encoding)
        out.append(sep.1, TokenSpan(0, 0), special: true)
        return out
    }
    public var json: JSONValue {
        .object([("type", "BertProcessing"), ("sep", .array([.string(sep.0), .int(Int(sep.1))])),
                 ("cls", .array([.string(cls.0), .int(Int(cls.1))]))])
    }
}

/// RoBERTa's `<s> A </s>`, with byte-level offset trimming.
public struct RobertaProcessing: PostProcessor {
    public let cls: (String, Int32)
    public let sep: (String, Int32)
    public let trimOffsets: Bool
    public let addPrefixSpace: Bool
    public init(cls: (String, Int32), sep: (String, Int32), trimOffsets: Bool = true, addPrefixSpace: Bool = true) {
        self.cls = cls
        self.sep = sep
        self.trimOffsets = trimOffsets
        self.addPrefixSpace = addPrefixSpace
    }
    public func addedTokenCount() -> Int { 2 }
    public func process(_ encoding: Encoding, addSpecialTokens: Bool) -> Encoding {
        let trimmed = trimOffsets ? ByteLevelProcessing.trim(encoding) : encoding
        return BertProcessing(cls: cls, sep: sep).process(trimmed, addSpecialTokens: addSpecialTokens)
    }
    public var json: JSONValue {
        .object([("type", "RobertaProcessing"), ("sep", .array([.string(sep.0), .int(Int(sep.1))])),
                 ("cls", .array([.string(cls.0), .int(Int(cls.1))])), ("trim_offsets", .bool(trimOffsets)),
                 ("add_prefix_space", .bool(addPrefixSpace))])
    }
}

/// HF `TemplateProcessing` for single sequences: pieces are `$A` (the sequence) or special
/// tokens, each with a type id. The pair template is kept for export.
public struct TemplateProcessing: PostProcessor {
    public enum Piece: Sendable, Equatable {
        case sequence(typeID: Int32)
        case special(name: String, typeID: Int32)
    }
    public let single: [Piece]
    public let pair: [JSONValue]
    /// Special token name → (ids, tokens).
    public let specialTokens: [(String, [Int32], [String])]

    public init(single: [Piece], pair: [JSONValue], specialTokens: [(String, [Int32], [String])]) {
        self.single = single
        self.pair = pair
        self.specialTokens = specialTokens
    }

    public func addedTokenCount() -> Int {
        single.reduce(0) { n, p in
            if case .special(let name, _) = p { return n + (specialTokens.first { $0.0 == name }?.1.count ?? 0) }
            return n
        }
    }

    public func process(_ encoding: Encoding, addSpecialTokens: Bool) -> Encoding {
        guard addSpecialTokens else { return encoding }
        var out = Encoding(names: encoding.names, capacity: encoding.count + 4)
        for piece in single {
            switch piece {
            case .sequence(let typeID):
                let special = encoding.specialTokensMask
                for k in 0..<encoding.count {
                    out.append(encoding.ids[k], encoding.offsets[k], typeID: typeID, special: special[k] == 1)
                }
            case .special(let name, let typeID):
                for id in specialTokens.first(where: { $0.0 == name })?.1 ?? [] {
                    out.append(id, TokenSpan(0, 0), typeID: typeID, special: true)
                }
            }
        }
        return out
    }

    public var json: JSONValue {
        let singleJSON: [JSONValue] = single.map {
            switch $0 {
            case .sequence(let t): .object([("Sequence", .object([("id", "A"), ("type_id", .int(Int(t)))]))])
            case .special(let n, let t): .object([("SpecialToken", .object([("id", .string(n)), ("type_id", .int(Int(t)))]))])
            }
        }
        return .object([
            ("type", "TemplateProcessing"), ("single", .array(singleJSON)), ("pair", .array(pair)),
            ("special_tokens", .object(specialTokens.map { name, ids, tokens in
                (name, .object([("id", .string(name)), ("ids", .array(ids.map { .int(Int($0)) })),
                                ("tokens", .array(tokens.map { .string($0) }))]))
            })),
        ])
    }
}

/// HF's byte-level post-processor: trims offsets so they exclude the spaces byte-level tokens
/// carry (`Ġword` → the span of `word`).
public struct ByteLevelProcessing: PostProcessor {
    public let trimOffsets: Bool
    public init(trimOffsets: Bool = true) { self.trimOffsets = trimOffsets }
    public func addedTokenCount() -> Int { 0 }
    public func process(_ encoding: Encoding, addSpecialTokens: Bool) -> Encoding {
        trimOffsets ? Self.trim(encoding) : encoding
    }

    static func trim(_ encoding: Encoding) -> Encoding {
        var out = encoding
        for k in 0..<out.count {
            let token = out.names.token(of: out.ids[k]) ?? ""
            let leading = token.unicodeScalars.prefix { $0.value == 0x120 }.count
            let trailing = token.unicodeScalars.reversed().prefix { $0.value == 0x120 }.count
            var span = out.offsets[k]
            if leading > 0 && leading < token.unicodeScalars.count { span.start = min(span.end, span.start + leading) }
            if trailing > 0 && trailing < token.unicodeScalars.count { span.end = max(span.start, span.end - trailing) }
            out.offsets[k] = span
        }
        return out
    }

    public var json: JSONValue {
        .object([("type", "ByteLevel"), ("add_prefix_space", true), ("trim_offsets", .bool(trimOffsets)), ("use_regex", true)])
    }
}

/// Applies post-processors in order.
public struct PostProcessorSequence: PostProcessor {
    public let processors: [any PostProcessor]
    public init(_ processors: [any PostProcessor]) { self.processors = processors }
    public func addedTokenCount() -> Int { processors.reduce(0) { $0 + $1.addedTokenCount() } }
    public func process(_ encoding: Encoding, addSpecialTokens: Bool) -> Encoding {
        processors.reduce(encoding) { $1.process($0, addSpecialTokens: addSpecialTokens) }
    }
    public var json: JSONValue { .object([("type", "Sequence"), ("processors", .array(processors.map(\.json)))]) }
}
