/// Everything that can go wrong in tokenization, each with what, where and how to fix it.
public enum TokenizationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not valid JSON.
    case invalidJSON(offset: Int, reason: String)
    /// A required field is missing (`path` like `model.vocab`).
    case missingField(path: String)
    /// A field has the wrong JSON type.
    case wrongType(path: String, expected: String, found: String)
    /// A component type this implementation does not support.
    case unsupportedComponent(kind: String, type: String)
    /// The vocabulary or merges are inconsistent.
    case invalidVocabulary(reason: String)
    /// A trainer or encoding setting is out of range.
    case invalidSetting(name: String, reason: String)

    public var description: String {
        switch self {
        case .invalidJSON(let offset, let reason):
            return "tokenizer.json is not valid JSON at byte \(offset): \(reason); was the file truncated?"
        case .missingField(let path):
            return "tokenizer.json lacks '\(path)'; is it a Hugging Face tokenizers file?"
        case .wrongType(let path, let expected, let found):
            return "tokenizer.json field '\(path)' must be \(expected), found \(found)"
        case .unsupportedComponent(let kind, let type):
            return "unsupported \(kind) '\(type)' in tokenizer.json; supported: \(Self.supported[kind] ?? "none")"
        case .invalidVocabulary(let reason):
            return "inconsistent vocabulary: \(reason)"
        case .invalidSetting(let name, let reason):
            return "invalid \(name): \(reason)"
        }
    }

    static let supported: [String: String] = [
        "normalizer": "BertNormalizer, NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Sequence",
        "pre_tokenizer": "BertPreTokenizer, Whitespace, WhitespaceSplit, ByteLevel, Digits, Sequence",
        "model": "BPE, WordPiece",
        "post_processor": "BertProcessing, RobertaProcessing, TemplateProcessing, ByteLevel, Sequence",
        "decoder": "WordPiece, ByteLevel, BPEDecoder, Sequence",
    ]
}
