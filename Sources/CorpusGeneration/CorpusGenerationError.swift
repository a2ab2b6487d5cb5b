/// Why a corpus could not be generated.
public enum CorpusGenerationError: Error, CustomStringConvertible, Equatable {
    /// A configuration parameter is out of range; `reason` says what range is accepted.
    case invalidParameter(name: String, value: String, reason: String)

    /// A one-line message naming the parameter, its value and how to fix it.
    public var description: String {
        switch self {
        case let .invalidParameter(name, value, reason):
            "invalid corpus parameter \(name) = \(value): \(reason)"
        }
    }
}
