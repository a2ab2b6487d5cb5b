import Foundation
import Synchronization
import InterestCore
import InterestStore

/// The façade: the one place that runs the pipeline stages (ingest, train, profiles, terms,
/// rank, recommend, evaluate, forget) against one database. Commands and the HTTP server call
/// only this. No SQLite or HTTP type appears in its API.
public final class InterestMiner: Sendable {
    let store: InterestStore
    /// Loaded models, reused while their stored versions are the newest (the HTTP service and
    /// batch commands answer many requests with one load).
    let models = ModelCache()

    /// The database file this miner works on.
    public var databasePath: String { store.path }

    /// Opens (or creates) the database at `databasePath`.
    public init(databasePath: String) throws(InterestMinerError) {
        do {
            store = try InterestStore(path: databasePath)
        } catch {
            throw .store(error)
        }
    }

    /// Counts per event type, users, items, time range and file size.
    public func stats() throws(InterestMinerError) -> DatabaseStats {
        do { return try store.stats() } catch { throw .store(error) }
    }

    /// `PRAGMA integrity_check` ("ok" when sound).
    public func integrityCheck() throws(InterestMinerError) -> String {
        do { return try store.integrityCheck() } catch { throw .store(error) }
    }
}

extension InterestMiner {
    /// A user's events, oldest first, or nil when the user is unknown.
    public func history(ofUser user: String) throws(InterestMinerError) -> [Event]? {
        do { return try store.history(ofUser: user) } catch { throw .store(error) }
    }

    /// An item's stored record, or nil when the item is unknown.
    public func item(_ item: String) throws(InterestMinerError) -> ItemRecord? {
        do { return try store.itemRecord(item) } catch { throw .store(error) }
    }
}

extension InterestMiner {
    /// Deletes a database file and its WAL and shared-memory files, if present.
    public static func removeDatabase(at path: String) throws(InterestMinerError) {
        for p in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: p) {
            do {
                try FileManager.default.removeItem(atPath: p)
            } catch {
                throw .unwritableOutput(path: p, reason: error.localizedDescription)
            }
        }
    }
}

/// Models loaded from the database, kept with the model versions they were loaded at.
final class ModelCache: Sendable {
    private let text = Mutex<(key: [Int], model: LoadedTextModel)?>(nil)
    private let rankerContext = Mutex<(key: [Int], model: RankerContext)?>(nil)

    func ranker(key: [Int], load: () throws(InterestMinerError) -> RankerContext?) throws(InterestMinerError) -> RankerContext? {
        if let hit = rankerContext.withLock({ $0 }), hit.key == key { return hit.model }
        guard let model = try load() else { return nil }
        rankerContext.withLock { $0 = (key, model) }
        return model
    }

    func text(key: [Int], load: () throws(InterestMinerError) -> LoadedTextModel?) throws(InterestMinerError) -> LoadedTextModel? {
        if let hit = text.withLock({ $0 }), hit.key == key { return hit.model }
        guard let model = try load() else { return nil }
        text.withLock { $0 = (key, model) }
        return model
    }
}
