import InterestCore

/// A complete tokenizer: added tokens ▸ normalizer ▸ pre-tokenizer ▸ model ▸ post-processor,
/// plus a decoder — the pipeline and file format of Hugging Face `tokenizers`, whose ids it
/// reproduces for the same `tokenizer.json`.
///
/// An immutable value; encoding state (the word cache) lives in a `TokenizerSession`.
public struct Tokenizer: Sendable {
    public let normalizer: (any Normalizer)?
    public let preTokenizer: (any PreTokenizer)?
    public let model: any TokenizationModel
    public let postProcessor: (any PostProcessor)?
    public let decoder: (any Decoder)?
    public let addedTokens: [AddedToken]
    /// The file's truncation and padding settings: kept for export, applied only on request.
    public let truncation: TruncationParameters?
    public let padding: PaddingParameters?
    let rawMatcher: AddedTokenMatcher
    let normalizedMatcher: AddedTokenMatcher
    let names: TokenNames

    public init(normalizer: (any Normalizer)? = nil, preTokenizer: (any PreTokenizer)? = nil, model: any TokenizationModel,
                postProcessor: (any PostProcessor)? = nil, decoder: (any Decoder)? = nil, addedTokens: [AddedToken] = [],
                truncation: TruncationParameters? = nil, padding: PaddingParameters? = nil) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.addedTokens = addedTokens
        self.truncation = truncation
        self.padding = padding
        rawMatcher = AddedTokenMatcher(addedTokens.filter { !$0.normalized })
        normalizedMatcher = AddedTokenMatcher(addedTokens.filter { $0.normalized })
        names = TokenNames(vocabulary: model.vocabulary, added: addedTokens)
    }

    /// Encodes one text. `addSpecialTokens` runs the post-processor (e.g. [CLS] … [SEP]);
    /// `maxLength` truncates (special tokens included) from the right.
    public func encode(_ text: String, addSpecialTokens: Bool = false, maxLength: Int? = nil) -> Encoding {
        TokenizerSession(self, cacheSize: 4096).encode(text, addSpecialTokens: addSpecialTokens, maxLength: maxLength)
    }

    /// Encodes many texts on up to `threads` threads, each with its own word cache; the
    /// result is in input order and identical to encoding one by one.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = false, maxLength: Int? = nil, threads: Int = 1) -> [Encoding] {
        parallelMap(texts, threads: threads, makeState: { TokenizerSession(self) }) { session, text in
            session.encode(text, addSpecialTokens: addSpecialTokens, maxLength: maxLength)
        }
    }

    /// Turns ids back into text with the decoder (tokens joined by spaces when there is none).
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        let special = Set(addedTokens.filter(\.special).map(\.id))
        let tokens = ids.filter { !(skipSpecialTokens && special.contains($0)) }.compactMap { names.token(of: $0) }
        return decoder?.decode(tokens) ?? tokens.joined(separator: " ")
    }

    /// The id of a token (added tokens first, then the model's vocabulary).
    public func id(of token: String) -> Int32? {
        addedTokens.first { $0.content == token }?.id ?? model.vocabulary.id(of: token)
    }

    /// The token of an id.
    public func token(of id: Int32) -> String? { names.token(of: id) }

    /// Vocabulary size including added tokens that are not in the model's vocabulary.
    public var vocabularySize: Int { names.count }
}

/// Token names for ids: the model's vocabulary plus added tokens.
final class TokenNames: Sendable {
    let vocabulary: TokenVocabulary
    let added: [Int32: String]

    init(vocabulary: TokenVocabulary, added: [AddedToken]) {
        self.vocabulary = vocabulary
        var m: [Int32: String] = [:]
        for t in added { m[t.id] = t.content }
        self.added = m
    }

    func token(of id: Int32) -> String? { added[id] ?? vocabulary.token(of: id) }

    var count: Int { vocabulary.count + added.keys.filter { Int($0) >= vocabulary.count }.count }
}

/// How the file says sequences are truncated.
public struct TruncationParameters: Sendable, Equatable {
    public var maxLength: Int
    public var stride: Int
    public var strategy: String
    public var direction: String

    public init(maxLength: Int, stride: Int = 0, strategy: String = "LongestFirst", direction: String = "Right") {
        self.maxLength = maxLength
        self.stride = stride
        self.strategy = strategy
        self.direction = direction
    }
}

/// How the file says batches are padded.
public struct PaddingParameters: Sendable, Equatable {
    /// nil: pad to the longest in the batch.
    public var fixedLength: Int?
    public var direction: String
    public var padToMultipleOf: Int?
    public var padID: Int32
    public var padTypeID: Int32
    public var padToken: String

    public init(fixedLength: Int? = nil, direction: String = "Right", padToMultipleOf: Int? = nil, padID: Int32 = 0,
                padTypeID: Int32 = 0, padToken: String = "[PAD]") {
        self.fixedLength = fixedLength
        self.direction = direction
        self.padToMultipleOf = padToMultipleOf
        self.padID = padID
        self.padTypeID = padTypeID
        self.padToken = padToken
    }

    /// Pads encodings to a common length (right side): the fixed length, or the longest.
    public func pad(_ encodings: inout [Encoding]) {
        var target = fixedLength ?? (encodings.map(\.count).max() ?? 0)
        if let m = padToMultipleOf, m > 0, target % m != 0 { target += m - target % m }
        for k in encodings.indices where encodings[k].count < target {
            for _ in encodings[k].count..<target { encodings[k].appendPadding(padID, typeID: padTypeID) }
        }
    }
}
