import InterestCore

/// The two tokenizer configurations InterestMiner trains (both exportable to HF as is).
///
/// - `bpe`: NFKC + lowercase, HF's `Whitespace` pre-tokenizer (`\w+|[^\w\s]+`), BPE. CJK text
///   has no spaces, so a run of Chinese or Japanese characters stays one word and BPE learns
///   multi-character units from it (口红, 洗发水) — the configuration for interest terms.
/// - `wordPiece`: BERT's normalizer and pre-tokenizer and WordPiece (`##` continuations), as
///   BERT-style models expect; BERT puts spaces around every CJK character, so Chinese comes out
///   one character per token.
///
/// Both add `[CLS] $A [SEP]` as the post-processor's special tokens.
public enum TokenizerRecipe: String, Sendable, CaseIterable {
    case bpe
    case wordPiece = "wordpiece"

    public static let defaultSpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    public var normalizer: any Normalizer {
        switch self {
        case .bpe: NormalizerSequence([UnicodeNormalizer(.nfkc), Lowercase()])
        case .wordPiece: BertNormalizer()
        }
    }

    public var preTokenizer: any PreTokenizer {
        switch self {
        case .bpe: Whitespace()
        case .wordPiece: BertPreTokenizer()
        }
    }

    /// Counts `lines` and trains a tokenizer of this recipe.
    public func train(lines: [String], vocabularySize: Int, minFrequency: Int = 0, limitAlphabet: Int? = nil,
                      specialTokens: [String] = defaultSpecialTokens, threads: Int = 2) throws(TokenizationError) -> Tokenizer {
        let counts = WordCounts.count(lines, normalizer: normalizer, preTokenizer: preTokenizer, threads: threads)
        return try train(counts: counts, vocabularySize: vocabularySize, minFrequency: minFrequency,
                         limitAlphabet: limitAlphabet, specialTokens: specialTokens)
    }

    /// Trains from word counts already made with this recipe's normalizer and pre-tokenizer.
    public func train(counts: WordCounts, vocabularySize: Int, minFrequency: Int = 0, limitAlphabet: Int? = nil,
                      specialTokens: [String] = defaultSpecialTokens) throws(TokenizationError) -> Tokenizer {
        let prefix: String? = self == .wordPiece ? "##" : nil
        let trainer = try BPETrainer(BPETrainerConfiguration(
            vocabularySize: vocabularySize, minFrequency: minFrequency, specialTokens: specialTokens,
            limitAlphabet: limitAlphabet, continuingSubwordPrefix: prefix))
        let trained = trainer.train(counts)
        let vocab = TokenVocabulary(tokens: trained.vocabulary)
        let unk = specialTokens.contains("[UNK]") ? "[UNK]" : nil
        let model: any TokenizationModel
        let decoder: any Decoder
        switch self {
        case .bpe:
            model = try BPE(vocabulary: vocab, merges: trained.merges, unknownToken: unk)
            decoder = BPEDecoder()
        case .wordPiece:
            guard let unk else {
                throw .invalidSetting(name: "special tokens", reason: "WordPiece needs [UNK] among the special tokens")
            }
            model = try WordPiece(vocabulary: vocab, unknownToken: unk)
            decoder = WordPieceDecoder()
        }
        let added = specialTokens.compactMap { s in vocab.id(of: s).map { AddedToken(id: $0, content: s) } }
        return Tokenizer(normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                         postProcessor: Self.bertTemplate(vocab), decoder: decoder, addedTokens: added)
    }

    /// `[CLS] $A [SEP]` (pair: `[CLS] $A [SEP] $B:1 [SEP]:1`) when both tokens exist.
    static func bertTemplate(_ vocab: TokenVocabulary) -> (any PostProcessor)? {
        guard let cls = vocab.id(of: "[CLS]"), let sep = vocab.id(of: "[SEP]") else { return nil }
        func special(_ n: String, _ t: Int) -> JSONValue { .object([("SpecialToken", .object([("id", .string(n)), ("type_id", .int(t))]))]) }
        func seq(_ n: String, _ t: Int) -> JSONValue { .object([("Sequence", .object([("id", .string(n)), ("type_id", .int(t))]))]) }
        return TemplateProcessing(
            single: [.special(name: "[CLS]", typeID: 0), .sequence(typeID: 0), .special(name: "[SEP]", typeID: 0)],
            pair: [special("[CLS]", 0), seq("A", 0), special("[SEP]", 0), seq("B", 1), special("[SEP]", 1)],
            specialTokens: [("[CLS]", [cls], ["[CLS]"]), ("[SEP]", [sep], ["[SEP]"])])
    }
}
