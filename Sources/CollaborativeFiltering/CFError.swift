/// Everything that can go wrong in collaborative filtering, with what to do about it.
public enum CFError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSetting(name: String, reason: String)
    case emptyMatrix
    case corruptModel(reason: String)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let reason): "invalid \(name): \(reason)"
        case .emptyMatrix: "no interactions to learn from; ingest interactions or reviews first"
        case .corruptModel(let reason): "stored factor model is unreadable: \(reason); re-run `interests train`"
        }
    }
}
