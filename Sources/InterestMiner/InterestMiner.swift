import Dispatch
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

    /// From this many catalogue items on, the fused recommendation read (`fusedRecommendation`)
    /// takes its first stage from a ``CandidateIndex`` built when the ranker loads instead of
    /// scanning every item; nil (the default, and every batch command): always the full scan.
    /// The service sets it (`serve --candidates-from`).
    public var candidateCatalogueSize: Int? {
        get {
            let size = candidateSize.load(ordering: .relaxed)
            return size < 0 ? nil : size
        }
        set { candidateSize.store(newValue ?? -1, ordering: .relaxed) }
    }
    private let candidateSize = Atomic<Int>(-1)

    /// Whether the fused ranker keeps every item's daily activity in memory (the default: a
    /// service or batch answers users of many days, each day's window then costs its entries).
    /// false: a one-shot process (`interests rank`) reads from the store only the 30-day window
    /// its user needs — at a million users that is ~0.8 M item-days instead of ~10 M.
    public var itemActivityInMemory: Bool {
        get { activityInMemory.load(ordering: .relaxed) }
        set { activityInMemory.store(newValue, ordering: .relaxed) }
    }
    private let activityInMemory = Atomic<Bool>(true)

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
    /// The item vectors the per-user `text` method scores (keyed by encoder version and newest item).
    let itemTableSlot = CachedModel<VectorTable>()

    func ranker(key: [Int], fresh: Bool, load: @escaping @Sendable () throws(InterestMinerError) -> RankerContext?) throws(InterestMinerError) -> RankerContext? {
        try rankerSlot.get(key: { key }, fresh: fresh, load: load)
    }

    func text(key: [Int], fresh: Bool, load: @escaping @Sendable () throws(InterestMinerError) -> LoadedTextModel?) throws(InterestMinerError) -> LoadedTextModel? {
        try textSlot.get(key: { key }, fresh: fresh, load: load)
    }

    /// Which slots hold a model (the ones a refresh after training reloads).
    var held: (text: Bool, terms: Bool, ranker: Bool, cf: Bool, itemTable: Bool) {
        (textSlot.holdsModel, termsSlot.holdsModel, rankerSlot.holdsModel, cfSlot.holdsModel, itemTableSlot.holdsModel)
    }

    /// The terms model at `key`: taken from the text model when that is already loaded at the
    /// same key (the service keeps one tokenizer), else loaded on its own.
    func terms(key: [Int], fresh: Bool, load: @escaping @Sendable () throws(InterestMinerError) -> LoadedTermsModel?) throws(InterestMinerError) -> LoadedTermsModel? {
        if let loaded = textSlot.loaded(key: key) { return loaded.map(\.termsModel) }
        return try termsSlot.get(key: { key }, fresh: fresh, load: load)
    }
}

/// One cached model and the key (stored model versions, i.e. the generation) it was loaded at.
/// The model is an immutable value swapped in by one assignment under a lock, so a caller gets
/// either the old or the new model, never a mix.
///
/// One load per key: when the key moves (a generation was activated) and a model is cached, the
/// first caller starts the load on a background thread and every caller — that one included —
/// keeps being answered by the previous model until the new one is in; when nothing is cached
/// yet (after start), callers wait for that one load instead of each loading its own copy. A
/// load whose key moved while it ran is retried, so a cached model matches one database state.
final class CachedModel<Model: Sendable>: Sendable {
    private struct State {
        /// nil: nothing loaded yet.
        var key: [Int]?
        /// nil with a key: no such model is stored.
        var model: Model?
        /// The key being loaded, and the group its waiters wait on.
        var loading: (key: [Int], done: DispatchGroup)?
        /// Loads run so far (tests check that concurrent first requests load once).
        var loads = 0
    }

    private enum Step {
        case use(Model?)
        case wait(DispatchGroup)
        case loadHere(DispatchGroup)
        case loadInBackground(DispatchGroup, Model?)
    }

    private let state = Mutex(State())

    /// Loads run so far.
    var loads: Int { state.withLock { $0.loads } }

    /// The model at the current key. `fresh`: the caller itself waits for the model at the
    /// current key (loading it on its own thread if nobody is), while every other caller keeps
    /// being answered by the previous one — how a training run warms the new generation.
    func get(key current: @escaping @Sendable () throws(InterestMinerError) -> [Int], fresh: Bool = false,
             load: @escaping @Sendable () throws(InterestMinerError) -> Model?) throws(InterestMinerError) -> Model? {
        let key = try current()
        for _ in 0..<3 {
            let step: Step = state.withLock { s in
                if let k = s.key, k == key { return .use(s.model) }
                if let l = s.loading {
                    return s.key != nil && !fresh ? .use(s.model) : .wait(l.done)
                }
                let done = DispatchGroup()
                done.enter()
                s.loading = (key, done)
                s.loads += 1
                return s.key != nil && !fresh ? .loadInBackground(done, s.model) : .loadHere(done)
            }
            switch step {
            case .use(let model):
                return model
            case .wait(let done):
                done.wait()
                continue
            case .loadInBackground(let done, let previous):
                let settle = self.settle
                Thread.detachNewThread {
                    _ = try? settle(key, current, load, done)
                }
                return previous
            case .loadHere(let done):
                return try settle(key, current, load, done)
            }
        }
        // Still nothing settled (keys moving under heavy retraining): load for this caller alone.
        return try load()
    }

    /// Runs the load for `key` (again if the key moved meanwhile, a few times), caches it and
    /// releases the waiters.
    private func settle(_ key: [Int], _ current: () throws(InterestMinerError) -> [Int], _ load: () throws(InterestMinerError) -> Model?,
                        _ done: DispatchGroup) throws(InterestMinerError) -> Model? {
        defer {
            state.withLock { s in s.loading = nil }
            done.leave()
        }
        var key = key
        for attempt in 0..<3 {
            let model = try load()
            let after = (try? current()) ?? key
            if after == key || attempt == 2 {
                if after == key { state.withLock { s in (s.key, s.model) = (key, model) } }
                return model
            }
            key = after
        }
        return nil
    }

    /// Whether a model (or the knowledge that none is stored) is cached.
    var holdsModel: Bool { state.withLock { $0.key != nil } }

    /// What is cached at exactly `key`: nil when nothing is (or another key), `.some(nil)` when
    /// no such model is stored.
    func loaded(key: [Int]) -> Model?? {
        state.withLock { s in s.key == key ? .some(s.model) : nil }
    }
}
