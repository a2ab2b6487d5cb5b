import Foundation
import InterestCore
import TextEmbedding
import Tokenization

/// Which encoder `interests train` makes the text vectors with.
public enum TextEncoderChoice: Sendable, Equatable {
    /// Subword vectors trained on the shop's own text, pooled by SIF (the default).
    case subword
    /// A pretrained sentence-transformers BERT model (all-MiniLM-L6-v2) from a model directory;
    /// `maxLength` overrides its max_seq_length.
    case pretrained(directory: String, maxLength: Int?)
}

/// The encoder behind a stored text model: the shop's own SIF encoder, or a pretrained
/// transformer. Either way `tokenizer` is the shop's trained tokenizer — what interest terms
/// are read with (a transformer encodes with its own WordPiece tokenizer).
enum TextModelEncoder: Sendable {
    case sif(SIFEncoder)
    case transformer(TransformerEncoder, terms: Tokenizer)

    var dimension: Int {
        switch self {
        case .sif(let e): e.dimension
        case .transformer(let e, _): e.dimension
        }
    }

    /// The shop's tokenizer (terms, CJK word splitting).
    var tokenizer: Tokenizer {
        switch self {
        case .sif(let e): e.tokenizer
        case .transformer(_, let terms): terms
        }
    }

    /// Threads worth using for a chunk of texts at ingest: SIF encodes a text in microseconds
    /// (one thread, beside the writer); a transformer takes milliseconds, so it uses every core.
    var ingestThreads: Int {
        switch self {
        case .sif: 1
        case .transformer: max(1, ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    func encode(_ texts: [String], threads: Int) -> [TextVector] {
        switch self {
        case .sif(let e): e.encode(texts, threads: threads)
        case .transformer(let e, _): e.encode(texts, threads: threads)
        }
    }

    func encode(_ text: String) -> TextVector { encode([text], threads: 1)[0] }

    /// A pretrained transformer (milliseconds a text) rather than SIF (microseconds).
    var isTransformer: Bool {
        if case .transformer = self { return true }
        return false
    }

    /// The vector used for semantic comparison (nearest terms and items, interest terms): SIF
    /// removes the corpus's common component; a transformer's vectors are used as they are
    /// (nil for the zero vector).
    func semantic(_ vector: [Float]) -> [Float]? {
        switch self {
        case .sif(let e): return e.semantic(vector)
        case .transformer:
            guard vector.count == dimension, vector.contains(where: { $0 != 0 }) else { return nil }
            return vector.normalized()
        }
    }

    /// The semantic vector of a text (nil when the encoder knows nothing in it).
    func semanticVector(_ text: String) -> [Float]? {
        let v = encode(text)
        return v.isEmpty ? nil : semantic(v.values)
    }
}

extension Serving {
    /// The pretrained encoder a stored text model names, after checking model.safetensors is
    /// still the file it was trained with. The model keeps the directory and the weights'
    /// checksum, not the weights: all-MiniLM-L6-v2 is 90 MB that every copy of the database
    /// would carry, while the directory is a read-only download (README "Pretrained encoder").
    func storedPretrainedEncoder(_ parameters: JSONValue, version: Int) throws(InterestMinerError) -> TransformerEncoder {
        guard let directory = parameters["model_dir"]?.stringValue, let checksum = parameters["model_checksum"]?.stringValue else {
            throw .textModel(.corruptModel(reason: "text model v\(version) names no model directory"))
        }
        let loaded = try InterestMiner.loadPretrainedModel(directory: directory, maxLength: parameters["max_length"]?.intValue)
        guard loaded.checksum == checksum else {
            throw .textModel(.modelFileChanged(path: loaded.directory + "/" + SentenceTransformerFiles.weightsName, expected: checksum,
                                               found: loaded.checksum))
        }
        return loaded.encoder
    }
}
