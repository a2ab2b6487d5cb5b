import InterestCore

/// The files of a sentence-transformers model directory, as bytes (the façade reads them; this
/// target does no I/O). `modules` is optional: when present it must list only the modules the
/// encoder runs (Transformer, Pooling, Normalize).
public struct SentenceTransformerFiles: Sendable {
    /// The files read, relative to the model directory, in the order they are checked.
    public static let configName = "config.json"
    public static let weightsName = "model.safetensors"
    public static let tokenizerName = "tokenizer.json"
    public static let poolingName = "1_Pooling/config.json"
    public static let sentenceConfigName = "sentence_bert_config.json"
    public static let modulesName = "modules.json"
    public static let tokenizerConfigName = "tokenizer_config.json"
    public static let requiredNames = [configName, weightsName, tokenizerName, poolingName, sentenceConfigName]

    public var config: [UInt8]
    public var weights: [UInt8]
    public var tokenizer: [UInt8]
    public var pooling: [UInt8]
    public var sentenceConfig: [UInt8]
    public var modules: [UInt8]?
    /// Read for `model_max_length` when sentence_bert_config.json has no max_seq_length (the
    /// layout sentence-transformers 6 writes).
    public var tokenizerConfig: [UInt8]?

    public init(config: [UInt8], weights: [UInt8], tokenizer: [UInt8], pooling: [UInt8], sentenceConfig: [UInt8], modules: [UInt8]? = nil,
                tokenizerConfig: [UInt8]? = nil) {
        self.tokenizerConfig = tokenizerConfig
        self.config = config
        self.weights = weights
        self.tokenizer = tokenizer
        self.pooling = pooling
        self.sentenceConfig = sentenceConfig
        self.modules = modules
    }
}

/// The BERT hyper-parameters of `config.json` (Devlin et al. 2019) that the forward pass needs.
public struct BERTConfiguration: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float

    public var headSize: Int { hiddenSize / heads }

    public init(vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int, maxPositions: Int,
                typeVocabularySize: Int, layerNormEpsilon: Float) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEpsilon = layerNormEpsilon
    }

    /// Reads `config.json`; refuses anything but an absolute-position BERT encoder with GELU.
    public init(json bytes: [UInt8]) throws(TextEmbeddingError) {
        let file = SentenceTransformerFiles.configName
        let json = try Self.parse(bytes, file: file)
        let type = json["model_type"]?.stringValue ?? "(none)"
        guard type == "bert" else { throw .unsupportedArchitecture(reason: "config.json model_type is \(type), not bert") }
        if let act = json["hidden_act"]?.stringValue, act != "gelu" {
            throw .unsupportedArchitecture(reason: "hidden_act \(act) (only the exact erf GELU, \"gelu\", is implemented)")
        }
        if let pos = json["position_embedding_type"]?.stringValue, pos != "absolute" {
            throw .unsupportedArchitecture(reason: "position_embedding_type \(pos) (only absolute)")
        }
        if json["is_decoder"]?.boolValue == true { throw .unsupportedArchitecture(reason: "a decoder (is_decoder is true)") }
        func int(_ key: String, default value: Int? = nil) throws(TextEmbeddingError) -> Int {
            guard let v = json[key]?.intValue ?? value else { throw .malformedModelFile(file: file, reason: "no integer \(key)") }
            guard v > 0 else { throw .malformedModelFile(file: file, reason: "\(key) is \(v)") }
            return v
        }
        vocabularySize = try int("vocab_size")
        hiddenSize = try int("hidden_size")
        layers = try int("num_hidden_layers")
        heads = try int("num_attention_heads")
        intermediateSize = try int("intermediate_size")
        maxPositions = try int("max_position_embeddings")
        typeVocabularySize = try int("type_vocab_size", default: 2)
        layerNormEpsilon = Float(json["layer_norm_eps"]?.doubleValue ?? 1e-12)
        guard hiddenSize % heads == 0 else {
            throw .unsupportedArchitecture(reason: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads)")
        }
    }

    static func parse(_ bytes: [UInt8], file: String) throws(TextEmbeddingError) -> JSONValue {
        do { return try JSONValue.parse(bytes) } catch { throw .malformedModelFile(file: file, reason: "\(error)") }
    }
}

/// How token vectors become a sentence vector (`1_Pooling/config.json`); the vector is then
/// scaled to unit length (all-MiniLM-L6-v2's `Normalize` module, and the `TextEncoder` contract).
public enum Pooling: String, Sendable, Equatable {
    /// The mean over the sequence's tokens ([CLS] and [SEP] included; padding excluded).
    case mean
    /// The [CLS] token's vector.
    case cls

    public init(json bytes: [UInt8], hiddenSize: Int) throws(TextEmbeddingError) {
        let file = SentenceTransformerFiles.poolingName
        let json = try BERTConfiguration.parse(bytes, file: file)
        if let d = (json["word_embedding_dimension"] ?? json["embedding_dimension"])?.intValue, d != hiddenSize {
            throw .unsupportedArchitecture(reason: "\(file) word_embedding_dimension \(d) differs from hidden_size \(hiddenSize)")
        }
        let modes = ["pooling_mode_cls_token", "pooling_mode_mean_tokens", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
                     "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"].filter { json[$0]?.boolValue == true }
        if let mode = json["pooling_mode"]?.stringValue, modes.isEmpty {
            switch mode {
            case "mean": self = .mean
            case "cls": self = .cls
            default: throw .unsupportedArchitecture(reason: "pooling mode \(mode) (only mean and cls)")
            }
            return
        }
        switch modes {
        case ["pooling_mode_mean_tokens"]: self = .mean
        case ["pooling_mode_cls_token"]: self = .cls
        default: throw .unsupportedArchitecture(reason: "pooling \(modes.isEmpty ? "none" : modes.joined(separator: " + ")) (only one of mean or cls)")
        }
    }
}

/// `sentence_bert_config.json`: the longest sequence (special tokens included; nil: not given)
/// and whether sentence-transformers lower-cases text before tokenizing.
public struct SentenceConfiguration: Sendable, Equatable {
    public var maxSequenceLength: Int?
    public var lowercase: Bool

    public init(maxSequenceLength: Int?, lowercase: Bool = false) {
        self.maxSequenceLength = maxSequenceLength
        self.lowercase = lowercase
    }

    /// Reads `max_seq_length` (all-MiniLM-L6-v2's layout) or, when the file has none (the layout
    /// of sentence-transformers 6), `model_max_length` of tokenizer_config.json, as
    /// sentence-transformers does.
    public init(json bytes: [UInt8], tokenizerConfig: [UInt8]? = nil) throws(TextEmbeddingError) {
        let file = SentenceTransformerFiles.sentenceConfigName
        let json = try BERTConfiguration.parse(bytes, file: file)
        lowercase = json["do_lower_case"]?.boolValue ?? false
        if let value = json["max_seq_length"], !value.isNull {
            guard let n = value.intValue, n >= 2 else { throw .malformedModelFile(file: file, reason: "max_seq_length must be an integer of at least 2") }
            maxSequenceLength = n
        } else if let tokenizerConfig {
            let config = try BERTConfiguration.parse(tokenizerConfig, file: SentenceTransformerFiles.tokenizerConfigName)
            // Hugging Face writes a huge sentinel when a tokenizer has no limit.
            maxSequenceLength = config["model_max_length"]?.intValue.flatMap { (2...1_000_000).contains($0) ? $0 : nil }
        } else {
            maxSequenceLength = nil
        }
    }

    /// Checks `modules.json` lists only a Transformer, a Pooling and optionally a Normalize module.
    static func checkModules(_ bytes: [UInt8]) throws(TextEmbeddingError) {
        let json = try BERTConfiguration.parse(bytes, file: SentenceTransformerFiles.modulesName)
        guard let modules = json.arrayValue else {
            throw .malformedModelFile(file: SentenceTransformerFiles.modulesName, reason: "not a JSON array")
        }
        // By the class name: sentence-transformers has moved its modules between packages.
        let known: Set = ["Transformer", "Pooling", "Normalize"]
        for m in modules {
            let type = m["type"]?.stringValue ?? "(no type)"
            guard type.hasPrefix("sentence_transformers."), let name = type.split(separator: ".").last, known.contains(String(name)) else {
                throw .unsupportedArchitecture(reason: "modules.json lists \(type); only Transformer, Pooling and Normalize are run")
            }
        }
    }
}
