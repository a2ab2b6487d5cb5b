import InterestCore

/// The contract both backends keep — the SQLite file (``InterestStore``, the default) and a
/// shared PostgreSQL database (``PostgresStore``) — for what they hold in common so far: the
/// event log (batches written in one transaction each, duplicates counted by the same
/// idempotency keys), histories, item records, per-item daily positives, `forget`, and the
/// statistics and generations `stats` shows. Every method is one transaction. The contract
/// suite (`StoreContractTests`) runs each of these against both backends.
public protocol EventStore: AnyObject, Sendable {
    /// Where the store lives: a file path, or a `postgres://` URL without its password.
    var locationDescription: String { get }
    func write(_ events: [Event], vectors: EventVectors?, cache: inout IdentityCache) throws(StoreError) -> WriteOutcome
    /// Every batch `next` returns in ONE transaction; `next`'s own errors are rethrown unchanged.
    func writeInOneTransaction(cache: inout IdentityCache, _ next: () throws -> ([Event], EventVectors?)?) throws -> WriteOutcome
    /// Whether the store takes a first load now: empty event tables and no text model.
    func acceptsFirstLoad() throws(StoreError) -> Bool
    /// Every batch `next` returns into empty event tables in ONE transaction whose indexes are
    /// built at its end; nil (and `next` never called) when the store no longer accepts it.
    func writeFirstLoad(cache: inout IdentityCache, _ next: () throws -> [Event]?) throws -> FirstLoadOutcome?
    func history(ofUser external: String) throws(StoreError) -> [Event]?
    func itemRecord(_ external: String) throws(StoreError) -> ItemRecord?
    func userExists(_ external: String) throws(StoreError) -> Bool
    func forget(user external: String) throws(StoreError) -> ForgetOutcome?
    func itemDays() throws(StoreError) -> [Int64: [(day: Int64, count: Int)]]
    /// Brings the per-item daily counts to their compact form once a run of writes ends (an
    /// ingest run): PostgreSQL folds the appended changes into `item_day`; SQLite keeps
    /// `item_day` exact at every write and has nothing to do. Returns the item-days written.
    @discardableResult
    func compactItemDays() throws(StoreError) -> Int
    func stats() throws(StoreError) -> DatabaseStats
    /// The newest visible version of each model kind (cheap: what `/healthz` shows).
    func latestVersions() throws(StoreError) -> [String: Int]
    func generations() throws(StoreError) -> [GenerationInfo]
    func forgottenAwaitingRetrain() throws(StoreError) -> Int
    /// Keeps an evaluation report (its JSON) with its time; the newest ``evaluationsKept`` stay.
    func saveEvaluation(_ report: String, at time: Int64) throws(StoreError)
    /// The newest evaluation report, if any.
    func latestEvaluation() throws(StoreError) -> (time: Int64, report: String)?
}

/// Evaluation reports a database keeps.
public let evaluationsKept = 10

/// The model generations' lifecycle and the models themselves, kept by both backends with the
/// same semantics (begin with a watermark, build tables beside the active ones, invisible
/// models until activation, activation by swapping tables in one transaction, a dead run taken
/// over, retention), the derived tables both hold so far — item neighbours and the
/// collaborative factors — and the event reads training and the behaviour models' serving take
/// (every event by user; one user's rows, activity and ranking state; what came after a
/// watermark; item-day counts). Contract tests: `GenerationContractTests`. The text models'
/// tables — vectors, terms, profiles — and the catch-up at activation: ``TextStore``.
public protocol ModelStore: EventStore, TextStore {
    func beginGeneration(parts: [DerivedTable], takeOver: Bool, staleAfter: Int64) throws(StoreError) -> GenerationBuild
    func failGeneration(_ id: Int) throws(StoreError)
    /// Activates a generation whose tables need no catch-up (none of its parts is a text table).
    @discardableResult
    func activateGeneration(_ build: GenerationBuild, report: String?) throws(StoreError) -> Int
    func applyRetention(keep: Int, erasingLog: Bool) throws(StoreError)
    @discardableResult
    func saveModel(kind: String, parameters: String, payload: [UInt8], generation: Int?) throws(StoreError) -> Int
    func latestModel(kind: String) throws(StoreError) -> StoredModel?
    func latestModelParameters(kind: String) throws(StoreError) -> (version: Int, parameters: String)?
    func model(kind: String, version: Int) throws(StoreError) -> StoredModel?
    func itemCatalogue() throws(StoreError) -> [(id: Int64, external: String)]
    func writeItemNeighbours(_ rows: [ItemNeighbourRow], build: GenerationBuild) throws(StoreError)
    func itemNeighbours(_ items: [String]) throws(StoreError) -> [String: [(item: String, score: Double)]]
    func externalIDs() throws(StoreError) -> (users: [Int64: String], items: [Int64: String])
    @discardableResult
    func writeFactors(parameters: String, payload: [UInt8], users: [(Int64, [Float])], items: [(Int64, [Float], Float?)],
                      build: GenerationBuild) throws(StoreError) -> Int
    func loadFactors() throws(StoreError) -> StoredFactors?
    func userFactors(_ users: [Int64], version: Int) throws(StoreError) -> [Int64: [Float]]
    func allUserFactors(version: Int) throws(StoreError) -> [String: [Float]]
    func eventsByUser(upTo bound: EventWatermark?) throws(StoreError) -> (table: EventsByUser, watermark: EventWatermark)
    func interactionRows(ofUser external: String) throws(StoreError) -> [InteractionRow]?
    func servingState() throws(StoreError) -> (versions: [String: Int], maxItem: Int64)
    func userActivity(_ external: String, after mark: EventWatermark, factorVersion: Int?) throws(StoreError) -> UserActivity?
    func usersWithEvents(after mark: EventWatermark) throws(StoreError) -> Set<String>
    func interactionRows(after mark: EventWatermark, items keep: (Int64) -> Bool) throws(StoreError) -> [InteractionRow]
    func itemNames(_ ids: [Int64]) throws(StoreError) -> [Int64: String]
    func userNames(_ ids: [Int64]) throws(StoreError) -> [Int64: String]
    func userCount() throws(StoreError) -> Int
    func userIDs() throws(StoreError) -> [String]
    func userItems() throws(StoreError) -> [String: Set<String>]
    func forEachItemDays(_ body: (Int64, [Int64], [Int]) -> Void) throws(StoreError)
    func itemPositives(fromDay first: Int64, throughDay last: Int64, rowOf: [Int64: Int], rows count: Int) throws(StoreError) -> [Int]
    func userRankingState(_ external: String, after mark: EventWatermark?, factorVersion: Int?) throws(StoreError) -> UserRankingState?
}

extension InterestStore: ModelStore {
    @discardableResult
    public func activateGeneration(_ build: GenerationBuild, report: String?) throws(StoreError) -> Int {
        try activateGeneration(build, report: report) { _ in }
    }
}

extension PostgresStore: ModelStore {}

extension EventStore {
    /// Writes a batch without vectors (no text model yet).
    public func write(_ events: [Event], cache: inout IdentityCache) throws(StoreError) -> WriteOutcome {
        try write(events, vectors: nil, cache: &cache)
    }
}

extension InterestStore: EventStore {
    public var locationDescription: String { path }
    public func compactItemDays() throws(StoreError) -> Int { 0 }
}

extension PostgresStore: EventStore {
    public var locationDescription: String { location.description }
}

/// Opens the store `location` names: a `postgres://` (or `postgresql://`) URL selects
/// PostgreSQL, anything else is an SQLite file path.
public func openEventStore(_ location: String) throws(StoreError) -> any EventStore {
    if PostgresLocation.isURL(location) { return try PostgresStore(url: location) }
    return try InterestStore(path: location)
}
