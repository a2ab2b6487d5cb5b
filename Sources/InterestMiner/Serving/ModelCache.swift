import Dispatch
import Foundation
import Synchronization

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
