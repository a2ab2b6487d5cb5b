/// Everything that can go wrong in text embedding, with what to do about it.
public enum TextEmbeddingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSetting(name: String, reason: String)
    case emptyCorpus
    case corruptModel(reason: String)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let reason): "invalid \(name): \(reason)"
        case .emptyCorpus: "no text to train on; ingest reviews, queries or item records first"
        case .corruptModel(let reason): "stored text model is unreadable: \(reason); re-run `interests train`"
        }
    }
}
