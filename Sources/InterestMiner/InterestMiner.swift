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

    /// Opens (or creates) the database at `databasePath`. `readOnly`: for a caller that only
    /// reads (e.g. `interests terms`), an existing, current database is opened without writing
    /// to it (see `InterestStore.init(path:readOnly:)`); anything that writes then fails.
    public init(databasePath: String, readOnly: Bool = false) throws(InterestMinerError) {
        do {
            store = try InterestStore(path: databasePath, readOnly: readOnly)
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
    private let textSlot = CachedModel<LoadedTextModel>()
    /// What interest terms need (tokenizer, splitter, profile model), for callers that need no
    /// encoder (see `InterestMiner+TermsModel.swift`).
    private let termsSlot = CachedModel<LoadedTermsModel>()
    let rankerSlot = CachedModel<RankerContext>()
    /// The collaborative model the service ranks with (see `InterestMiner+Serving.swift`).
    let cfSlot = CachedModel<LoadedCFModel>()

    func ranker(key: [Int], load: () throws(InterestMinerError) -> RankerContext?) throws(InterestMinerError) -> RankerContext? {
        try rankerSlot.get(key: { key }, load: load)
    }

    func text(key: [Int], load: () throws(InterestMinerError) -> LoadedTextModel?) throws(InterestMinerError) -> LoadedTextModel? {
        try textSlot.get(key: { key }, load: load)
    }

    /// The terms model at `key`: taken from the text model when that is already loaded at the
    /// same key (the service keeps one tokenizer), else loaded on its own.
    func terms(key: [Int], load: () throws(InterestMinerError) -> LoadedTermsModel?) throws(InterestMinerError) -> LoadedTermsModel? {
        if let loaded = textSlot.loaded(key: key) { return loaded.map(\.termsModel) }
        return try termsSlot.get(key: { key }, load: load)
    }
}

/// One cached model and the key (stored model versions) it was loaded at. The model is an
/// immutable value swapped in by one assignment under a lock, so a caller gets either the old or
/// the new model, never a mix. While one caller loads a newer version, the others keep getting
/// the previous model instead of waiting (or loading it again); a load whose key changed while
/// it ran (a retrain committed meanwhile) is retried, so a cached model matches one state of
/// the database.
final class CachedModel<Model: Sendable>: Sendable {
    private struct State {
        /// nil: nothing loaded yet.
        var key: [Int]?
        /// nil with a key: no such model is stored.
        var model: Model?
        /// The key some caller is loading now.
        var loading: [Int]?
        /// Bumped by `invalidate`: a load that started before it is not kept.
        var generation = 0
    }

    private enum Step {
        case use(Model?)
        case load
    }

    private let state = Mutex(State())

    func get(key current: () throws(InterestMinerError) -> [Int], load: () throws(InterestMinerError) -> Model?) throws(InterestMinerError) -> Model? {
        var key = try current()
        var generation = 0
        let step: Step = state.withLock { s in
            if let k = s.key, k == key { return .use(s.model) }
            if s.loading == key, s.key != nil { return .use(s.model) }
            s.loading = key
            generation = s.generation
            return .load
        }
        if case .use(let model) = step { return model }
        var attempts = 0
        while true {
            let model: Model?
            do {
                model = try load()
            } catch {
                state.withLock { s in if s.loading == key { s.loading = nil } }
                throw error
            }
            let after = try current()
            attempts += 1
            if after == key || attempts >= 3 {
                let settled = after == key
                state.withLock { s in
                    if s.loading == key { s.loading = nil }
                    if settled && s.generation == generation { (s.key, s.model) = (key, model) }
                }
                return model
            }
            state.withLock { s in if s.loading == key { s.loading = after } }
            key = after
        }
    }

    /// What is cached at exactly `key`: nil when nothing is (or another key), `.some(nil)` when
    /// no such model is stored.
    func loaded(key: [Int]) -> Model?? {
        state.withLock { s in s.key == key ? .some(s.model) : nil }
    }

    /// Replaces the cached model by `transform` of it (e.g. without a forgotten user's row); a
    /// load in flight is not kept, since it may have read the database before the change.
    func update(_ transform: (Model) -> Model) {
        state.withLock { s in
            s.model = s.model.map(transform)
            s.generation += 1
        }
    }
}
