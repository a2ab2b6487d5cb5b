/// Everything that can go wrong in the store, with a message that says how to fix it.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The file could not be opened or is not an SQLite database.
    case cannotOpen(path: String, reason: String)
    /// The file was written by a newer InterestMiner (it has migrations this build lacks).
    case newerSchema(path: String, unknown: [String])
    /// A write or read failed inside SQLite.
    case sqlite(operation: String, message: String)
    /// A stored value is unreadable (e.g. a vector BLOB of the wrong size).
    case corrupt(what: String, reason: String)
    /// Something the caller asked for does not exist.
    case notFound(what: String)
    /// A training run's generation was abandoned (failed, or taken over by a newer run) before
    /// it could be activated.
    case generationAbandoned(Int)
    /// Another training run is building a generation now.
    case trainingInProgress(generation: Int, since: Int64)
    /// An ingest chunk's vectors were made by a text model that is no longer the active one (a
    /// training run activated a new generation meanwhile); nothing of the chunk was written.
    case staleTextModel(encoded: Int, active: Int)
    /// A statement failed inside PostgreSQL (`sqlState`: the server's SQLSTATE code, when it
    /// sent one).
    case postgres(operation: String, message: String, sqlState: String?)
    /// A `postgres://` URL that cannot be used as given.
    case badURL(url: String, reason: String)
    /// The PostgreSQL server cannot be reached (down, restarting, refusing connections): the
    /// request may be retried once it is back.
    case unavailable(location: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open database '\(path)': \(reason); pass --db with the path of an InterestMiner database or a new file name"
        case .newerSchema(let path, let unknown):
            return "database '\(path)' was written by a newer InterestMiner (migrations \(unknown.joined(separator: ", "))); upgrade interests to read it"
        case .sqlite(let operation, let message):
            return "database error while \(operation): \(message)"
        case .corrupt(let what, let reason):
            return "stored \(what) is unreadable: \(reason); re-run `interests train` to rebuild it"
        case .notFound(let what):
            return "\(what) not found"
        case .generationAbandoned(let id):
            return "model generation \(id) was abandoned before activation (a newer training run took over, or it was marked failed); the active models are unchanged — run `interests train` again"
        case .trainingInProgress(let id, let since):
            return "another training run is building model generation \(id) (last progress at Unix time \(since)); wait for it to finish, or pass --take-over if that run has died"
        case .postgres(let operation, let message, let state):
            return "PostgreSQL error while \(operation): \(message)" + (state.map { " [SQLSTATE \($0)]" } ?? "")
        case .badURL(let url, let reason):
            return "cannot use database URL '\(url)': \(reason)"
        case .unavailable(let location, let reason):
            return "cannot reach PostgreSQL at \(location): \(reason); check that the server runs and accepts connections from this host, then retry"
        case .staleTextModel(let encoded, let active):
            return "the text model changed during this write (vectors of v\(encoded), active v\(active)); nothing was written — send the events again"
        }
    }
}
