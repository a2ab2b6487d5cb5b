import InterestCore

/// The text models' tables, kept by both backends with the same semantics: the texts a
/// training run reads, the vectors, terms and profiles it writes into its generation's build
/// tables (rows of events or users forgotten meanwhile skipped), the catch-up of events ingested
/// during the run before activation, and the reads serving and evaluation take. Contract tests:
/// `TextContractTests` (every method on both backends, against answers computed by hand) and,
/// through the façade, `TextBackendsTests` (training, catch-up, ingest; the backends' answers
/// compared).
public protocol TextStore: AnyObject, Sendable {
    /// Whether any item title or description, review or query is stored.
    func hasText() throws(StoreError) -> Bool
    /// Every text (item titles, item descriptions, reviews, queries, in that order) in batches,
    /// in one snapshot. Returns the count.
    @discardableResult
    func forEachText(batchSize: Int, _ body: ([String]) throws -> Void) throws(StoreError) -> Int
    /// Reviews (or queries) with row ids in (`after`, `upTo`], oldest first, at most `limit`.
    func eventTexts(_ kind: EventTextKind, after: Int64, upTo: Int64, limit: Int) throws(StoreError) -> [EventTextRow]
    /// Every item's own text, by row id.
    func itemTexts() throws(StoreError) -> [ItemTextRow]

    func writeEventVectors(_ kind: EventTextKind, version: Int, _ rows: [(Int64, [Float]?)], terms: [String?], build: GenerationBuild) throws(StoreError)
    func writeItemVectors(version: Int, texts: [(item: Int64, vector: [Float]?)], build: GenerationBuild) throws(StoreError)
    func writeItemTextTerms(version: Int, _ rows: [(item: Int64, terms: String)], build: GenerationBuild) throws(StoreError)
    func writeTerms(version: Int, _ terms: [TermRow], build: GenerationBuild) throws(StoreError)
    func writeItemTerms(_ rows: [(item: Int64, term: String, share: Double)], build: GenerationBuild) throws(StoreError)
    @discardableResult
    func buildProfiles(_ profile: ProfileBuild, build: GenerationBuild) throws(StoreError) -> Int
    /// One bounded catch-up step (see `InterestStore+CatchUp.swift`): returns the advanced
    /// watermark and the rows brought in (0: caught up).
    func catchUp(_ build: GenerationBuild, from mark: GenerationWatermark, text: CatchUpText) throws(StoreError) -> (GenerationWatermark, Int)
    /// Activates a generation with text tables: in the activation's one transaction, with event
    /// writes held, whatever arrived after `mark` is caught up first. Returns the forgotten
    /// users cleared.
    @discardableResult
    func activateGeneration(_ build: GenerationBuild, report: String?, catchingUpFrom mark: GenerationWatermark, text: CatchUpText) throws(StoreError) -> Int

    func termDocuments() throws(StoreError) -> (reviewTerms: [String: [(term: String, reviews: Double)]], textTerms: [String: String])
    func reviewVectors(ofUsers users: [Int64], in tables: TableSet) throws(StoreError) -> [ReviewVectorRow]
    func reviewVectors(ofItems items: [Int64], in tables: TableSet) throws(StoreError) -> [ReviewVectorRow]
    func queryVectors(ofUsers users: [Int64], in tables: TableSet) throws(StoreError) -> [(id: Int64, user: Int64, timestamp: Int64, vector: [Float])]
    func itemVectorRows(in tables: TableSet) throws(StoreError) -> [Int64: ItemVectorRow]
    func itemVectorMatrix(rowOf: [Int64: Int], rows: Int, dimension: Int, in tables: TableSet) throws(StoreError) -> [Float]
    func profileDirections(version: Int) throws(StoreError) -> [Int64: [Float]]
    func terms(named names: Set<String>) throws(StoreError) -> [String: TermRow]
    func terms() throws(StoreError) -> [TermRow]
    func itemVectors() throws(StoreError) -> [(item: String, vector: [Float])]
    func itemTerms(_ items: [String]) throws(StoreError) -> [String: [(term: String, share: Double)]]
    func userTextVectorSums() throws(StoreError) -> [String: (sum: [Float], count: Int)]
    func userTextState(_ external: String) throws(StoreError) -> UserTextState?
    func userEventVectors(_ user: String) throws(StoreError) -> [UserEventVector]?
}

extension TextStore {
    @discardableResult
    public func forEachText(_ body: ([String]) throws -> Void) throws(StoreError) -> Int {
        try forEachText(batchSize: 50_000, body)
    }
    public func reviewVectors(ofUsers users: [Int64]) throws(StoreError) -> [ReviewVectorRow] { try reviewVectors(ofUsers: users, in: .active) }
    public func reviewVectors(ofItems items: [Int64]) throws(StoreError) -> [ReviewVectorRow] { try reviewVectors(ofItems: items, in: .active) }
    public func itemVectorRows() throws(StoreError) -> [Int64: ItemVectorRow] { try itemVectorRows(in: .active) }
}

extension InterestStore: TextStore {
    @discardableResult
    public func activateGeneration(_ build: GenerationBuild, report: String?, catchingUpFrom mark: GenerationWatermark,
                                   text: CatchUpText) throws(StoreError) -> Int {
        try activateGeneration(build, report: report) { db in try InterestStore.catchUpAll(db, from: mark, text: text) }
    }
}

extension PostgresStore: TextStore {}
