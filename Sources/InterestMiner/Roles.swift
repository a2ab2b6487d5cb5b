import Foundation
import InterestCore
import InterestStore
import Synchronization
import Tokenization

/// The read side (Gorse's server nodes): the loaded models of the active generation, in one
/// ``ModelCache`` — one load per generation, off the request path, the previous generation
/// answering meanwhile — and every read answered from them plus the asking user's own rows:
/// recommendations, `rank`, `terms`, `similar`, `embed`, batch `recommend`. The training
/// pipeline and ingest read the active models through it too (`loadTextModel`, `loadCFModel`).
final class Serving: Sendable {
    /// Models, generations and the collaborative reads: either backend.
    let store: any ModelStore
    /// The SQLite file, for what only it holds in this version (text vectors, terms, profiles,
    /// the fused ranker's reads); nil on PostgreSQL.
    let sqlite: InterestStore?
    let models = ModelCache()

    init(store: any ModelStore) {
        self.store = store
        sqlite = store as? InterestStore
    }

    var databasePath: String { store.locationDescription }

    /// The SQLite store, or the error a PostgreSQL database answers for what it does not hold yet.
    func local() throws(InterestMinerError) -> InterestStore {
        guard let sqlite else { throw .sqliteOnly(location: store.locationDescription) }
        return sqlite
    }

    /// From this many catalogue items on, the fused recommendation read (`fusedRecommendation`)
    /// takes its first stage from a ``CandidateIndex`` built when the ranker loads instead of
    /// scanning every item; nil (the default, and every batch command): always the full scan.
    /// The service sets it (`serve --candidates-from`).
    var candidateCatalogueSize: Int? {
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
    var itemActivityInMemory: Bool {
        get { activityInMemory.load(ordering: .relaxed) }
        set { activityInMemory.store(newValue, ordering: .relaxed) }
    }
    private let activityInMemory = Atomic<Bool>(true)
}

/// The training side (Gorse's master): builds a model generation stage by stage — tokenizer,
/// text model, text vectors and terms, profiles, the event snapshot, collaborative factors,
/// item neighbours, the fused ranker — in short transactions beside the active one, brings it
/// up to the events ingested meanwhile and activates it (`train`).
final class TrainingPipeline: Sendable {
    /// Generations, models and the behaviour stages' tables: either backend.
    let store: any ModelStore
    /// Where the active models are read from, and refreshed after an activation.
    let serving: Serving

    init(store: any ModelStore, serving: Serving) {
        self.store = store
        self.serving = serving
    }

    var databasePath: String { store.locationDescription }
}

/// The write side: events in, parsed on one core and written on the other, each chunk one
/// transaction with its texts encoded by the active text model (`ingest`); a user out, with
/// every row that names them (`forget`).
final class Ingestion: Sendable {
    let store: any EventStore
    /// The active text model ingest encodes new texts with (nil: a store without models).
    let serving: Serving?

    init(store: any EventStore, serving: Serving?) {
        self.store = store
        self.serving = serving
    }

    var databasePath: String { store.locationDescription }
}

/// The leave-last-out protocol (`evaluate`): the database's events (or a prepared split) into a
/// temporary database of its own, trained and ranked there by a miner of its own.
struct Evaluation: Sendable {
    let store: InterestStore

    var databasePath: String { store.path }
}

extension InterestMiner {
    public func ingest(_ sources: [IngestSource], options: IngestOptions = IngestOptions(),
                       progress: (@Sendable (IngestProgress) -> Void)? = nil) async throws(InterestMinerError) -> IngestReport {
        try await ingestion.ingest(sources, options: options, progress: progress)
    }

    /// Runs `body` — a write the caller has queued (the service's write queue) — announced to
    /// the store from now until it ends, so a training run's build transactions give way to it
    /// while it waits its turn (`InterestStore.buildWrite`).
    public func queuedWrite<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        guard let store = serving.sqlite else { return try await body() }
        store.foregroundWriteQueued()
        defer { store.foregroundWriteEnded() }
        return try await body()
    }

    public func forget(user: String) throws(InterestMinerError) -> ForgetReport? {
        try ingestion.forget(user: user)
    }

    public func train(_ options: TrainingOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) throws(InterestMinerError) -> TrainingReport {
        try training.train(options, progress: progress)
    }

    public func evaluate(_ options: EvaluationOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(InterestMinerError) -> EvaluationReport {
        try await Evaluation(store: store).evaluate(options, progress: progress)
    }

    public func rank(user: String, items: [String]? = nil, query: String? = nil, top: Int = 10, explain: Bool = false,
                     includeSeen: Bool = false) throws(InterestMinerError) -> RankResult {
        try serving.rank(user: user, items: items, query: query, top: top, explain: explain, includeSeen: includeSeen)
    }

    /// Recommendations for `users` (nil: every user), or for the part of them `shard` holds.
    public func recommend(method: RecommendationMethod, users: [String]?, shard: UserShard? = nil, top: Int, threads: Int = 2,
                          ready: (_ users: Int, _ catalogue: Int) -> Void = { _, _ in },
                          emit: (Recommendation) throws -> Void) throws(InterestMinerError) {
        try serving.recommend(method: method, users: users, shard: shard, top: top, threads: threads, ready: ready, emit: emit)
    }

    public func recommendation(forUser user: String, top: Int, method: RecommendationMethod) throws(InterestMinerError) -> Recommendation? {
        try serving.recommendation(forUser: user, top: top, method: method)
    }

    public func fusedRecommendation(forUser user: String, top: Int, query: String? = nil,
                                    newUserIfUnknown: Bool = false) throws(InterestMinerError) -> Recommendation? {
        try serving.fusedRecommendation(forUser: user, top: top, query: query, newUserIfUnknown: newUserIfUnknown)
    }

    public func terms(user: String, options: TermsOptions = TermsOptions()) throws(InterestMinerError) -> UserInterestTerms {
        try serving.terms(user: user, options: options)
    }

    public func terms(users: [String], options: TermsOptions = TermsOptions(), emit: (UserInterestTerms) throws -> Void) throws(InterestMinerError) {
        try serving.terms(users: users, options: options, emit: emit)
    }

    public func similar(text: String, top: Int = 10) throws(InterestMinerError) -> SimilarityResult {
        try serving.similar(text: text, top: top)
    }

    public func similar(term: String, top: Int = 10) throws(InterestMinerError) -> SimilarityResult {
        try serving.similar(term: term, top: top)
    }

    public func embed(_ texts: [String], threads: Int = 2) throws(InterestMinerError) -> [[Float]?] {
        try serving.embed(texts, threads: threads)
    }

    public func storedTokenizer() throws(InterestMinerError) -> Tokenizer {
        try serving.storedTokenizer()
    }

    /// The newest version of each model kind (any backend: also what a PostgreSQL store holds).
    public func modelVersions() throws(InterestMinerError) -> [String: Int] {
        do { return try events.latestVersions() } catch { throw .store(error) }
    }

    public func hasCollaborativeModel() throws(InterestMinerError) -> Bool {
        try serving.hasCollaborativeModel()
    }

    public func knowsUser(_ user: String) throws(InterestMinerError) -> Bool {
        try serving.knowsUser(user)
    }
}

extension InterestMiner {
    /// A user's interest terms (default settings, `top` terms) with their interests' weekly
    /// decayed weight (at most `weeks` samples): the web console's user page.
    public func interestProfile(user: String, top: Int = 10, weeks: Int = 52) throws(InterestMinerError) -> UserInterestProfile {
        try serving.interestProfile(user: user, top: top, weeks: weeks)
    }

    /// An item's record, neighbours, text look-alikes and review terms, or nil when unknown.
    public func itemOverview(_ item: String, top: Int = 10) throws(InterestMinerError) -> ItemOverview? {
        try serving.itemOverview(item, top: top)
    }

    /// Every model generation, newest first, with the training report of the run that built it.
    public func generations() throws(InterestMinerError) -> [GenerationInfo] {
        do { return try events.generations() } catch { throw .store(error) }
    }

    /// The last `interests eval` report kept in this database (without its ranked lists), and
    /// when it was made; nil when none was.
    public func latestEvaluation() throws(InterestMinerError) -> (time: Int64, report: EvaluationReport)? {
        let stored: (time: Int64, report: String)?
        do { stored = try events.latestEvaluation() } catch { throw .store(error) }
        guard let stored else { return nil }
        do { return (stored.time, try JSONDecoder().decode(EvaluationReport.self, from: Data(stored.report.utf8))) } catch {
            throw .store(.corrupt(what: "the last evaluation report", reason: "\(error)"))
        }
    }
}
