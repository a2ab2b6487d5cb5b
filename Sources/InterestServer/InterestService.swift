import Foundation
import InterestMiner

/// What the routes call: the façade plus the service's own state (metrics, the writer and
/// training queues, the training job). Reads run on the caller's thread straight against the
/// façade (WAL snapshots: they never wait for a write); writes run on the one writer queue.
final class InterestService: Sendable {
    let miner: InterestMiner
    let configuration: ServerConfiguration
    let metrics = ServerMetrics()
    let writer = WorkQueue(label: "interests.writer")
    let training: TrainingJob
    /// The console's shop counts, refreshed off the request path.
    let shopCounts: ShopCounts
    /// Who each item was recommended to most since the start (the console's item pages).
    let recommendedTo = RecommendedTo()

    init(miner: InterestMiner, configuration: ServerConfiguration) {
        self.miner = miner
        self.configuration = configuration
        training = TrainingJob(miner: miner, options: configuration.training, nice: configuration.trainingNice)
        shopCounts = ShopCounts { try miner.stats() }
    }

    /// The one place that decides how the service ranks a user's recommendations: the fused
    /// ranker (`interests rank`; with `query`, personalised search) when one is trained, else
    /// collaborative filtering, else text similarity. A user without events (never seen, or
    /// forgotten) gets what a new user gets: the fused ranker's cold start (popularity, and the
    /// query), or from CF or text, as a known user without a vector, no items.
    func recommendations(for user: String, k: Int, query: String?) throws(InterestMinerError) -> RecommendationsAnswer {
        do {
            if let r = try miner.fusedRecommendation(forUser: user, top: k, query: query, newUserIfUnknown: true) {
                return RecommendationsAnswer(user: user, method: RecommendationMethod.fused.rawValue, query: query,
                                             items: zip(r.items, r.scores).map { RecommendationsAnswer.Scored(item: $0, score: $1) }, note: r.note)
            }
        } catch .missing where query == nil {
            // No fused ranker (e.g. trained with --ranker none): the best single model there is.
        }
        var method = RecommendationMethod.cf
        let found: Recommendation?
        do {
            found = try miner.recommendation(forUser: user, top: k, method: .cf)
        } catch .missing {
            method = .text
            found = try miner.recommendation(forUser: user, top: k, method: .text)
        }
        return RecommendationsAnswer(user: user, method: method.rawValue, query: nil,
                                     items: zip(found?.items ?? [], found?.scores ?? []).map { RecommendationsAnswer.Scored(item: $0, score: $1) })
    }

    /// `POST /v1/rank`: `interests rank` (an unknown user gets the cold-start ranking, with a note).
    func rank(_ request: RankRequest) throws(APIError) -> RankResult {
        do {
            return try miner.rank(user: request.user, items: request.items, query: request.query, top: request.k ?? 10,
                                  explain: request.explain ?? false, includeSeen: request.includeSeen ?? false)
        } catch {
            throw APIError.from(error)
        }
    }

    /// Ingests a body (a JSON array of objects, or JSON Lines) with `interests ingest`'s
    /// validation and idempotency: every event is checked on its own, the good ones are
    /// written and the bad ones reported by position — a batch, answered 200 whatever its
    /// events held (as Elasticsearch's `_bulk` or Mixpanel's non-strict import). 400 only for a
    /// body that is not a batch: empty, or an array with an element that is not an object.
    func ingest(_ body: [UInt8], as format: EventBody.Format) async throws -> EventsAnswer {
        let prepared = try EventBody.prepare(body, as: format)
        var report = IngestReport()
        if prepared.lines.contains(where: { $0 != 0x0A && $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
            let options = IngestOptions(listedRejections: configuration.listedRejections)
            let miner = miner
            let lines = prepared.lines
            let writer = writer
            report = try await miner.queuedWrite { () async throws(InterestMinerError) -> IngestReport in
                try await withTaskExecutorPreference(writer) { () async throws(InterestMinerError) -> IngestReport in
                    try await miner.ingest([.bytes(name: EventsAnswer.sourceName, lines)], options: options)
                }
            }
        }
        let answer = EventsAnswer(report: report, early: prepared.rejected, listed: configuration.listedRejections)
        metrics.recordEvents(inserted: answer.inserted, duplicates: answer.duplicates, updated: answer.updated, rejected: answer.rejected)
        if answer.read == 0 {
            throw APIError(.badRequest, "empty_body", "the body holds no events; send a JSON array of event objects or JSON Lines")
        }
        return answer
    }

    /// Forgets a user on the writer queue.
    func forget(_ user: String) async throws(InterestMinerError) -> ForgetReport? {
        let miner = miner
        let writer = writer
        return try await miner.queuedWrite { () async throws(InterestMinerError) -> ForgetReport? in
            try await withTaskExecutorPreference(writer) { () async throws(InterestMinerError) -> ForgetReport? in
                try miner.forget(user: user)
            }
        }
    }
}

/// `GET /v1/users/{id}/recommendations`.
struct RecommendationsAnswer: Codable, Sendable, Equatable {
    struct Scored: Codable, Sendable, Equatable {
        var item: String
        var score: Float
    }
    var user: String
    /// `fused`, or `cf` / `text` when no fused ranker is trained: what ranked them.
    var method: String
    /// The personalised-search query, when one was given.
    var query: String?
    var items: [Scored]
    /// Set when the query had no word the text model knows (ranked without it).
    var note: String?
}

/// `POST /v1/rank`'s body (snake_case keys).
struct RankRequest: Codable, Sendable {
    var user: String
    /// Candidates to order (default: the whole catalogue).
    var items: [String]?
    var query: String?
    var k: Int?
    var explain: Bool?
    var includeSeen: Bool?

    /// Checks the fields a decoder cannot: sizes and ranges, as 400s that say what is accepted.
    func validate(maxResults: Int) throws(APIError) {
        try Parameters.checkUserID(user)
        if let k, !(1...maxResults).contains(k) { throw APIError.badParameter("k", "must be an integer from 1 to \(maxResults)") }
        if let items {
            guard (1...100_000).contains(items.count) else { throw APIError.badParameter("items", "give 1–100000 item ids, or leave it out for the whole catalogue") }
            for (k, item) in items.enumerated() {
                if let reason = InterestMiner.identifierProblem(item) {
                    throw APIError.badParameter("items", "item \(k + 1): \(reason) (an item id is 1–256 characters, not blank, without control characters)")
                }
            }
        }
        if let query { try Parameters.checkQuery(query) }
    }
}

/// `POST /v1/events`: what happened to the body's events.
public struct EventsAnswer: Codable, Sendable, Equatable {
    public struct LineError: Codable, Sendable, Equatable {
        /// The line (JSON Lines) or the element's position in the array (1-based).
        public var line: Int
        public var reason: String
    }
    /// Events in the body (non-blank lines, or array elements).
    public var read = 0
    public var inserted = 0
    /// Already stored (same id, or same content): not written again.
    public var duplicates = 0
    /// Item records that changed a stored item.
    public var updated = 0
    public var rejected = 0
    /// The first rejected lines with their reasons.
    public var errors: [LineError] = []
    /// Rejected lines not listed in `errors`.
    public var unlistedErrors = 0

    static let sourceName = "body"

    init(report: IngestReport, early: [EventBody.Rejection], listed: Int) {
        read = report.read + early.count
        inserted = report.inserted
        duplicates = report.duplicates
        updated = report.updated
        rejected = report.rejected + early.count
        var all = early.map { LineError(line: $0.line, reason: $0.reason) }
        for text in report.rejections { all.append(Self.parse(text)) }
        all.sort { $0.line < $1.line }
        errors = Array(all.prefix(listed))
        unlistedErrors = rejected - errors.count
    }

    /// "body:LINE: reason" (the ingest report's form, with our source name) → (line, reason).
    static func parse(_ text: String) -> LineError {
        let prefix = sourceName + ":"
        guard text.hasPrefix(prefix) else { return LineError(line: 0, reason: text) }
        let rest = text.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":"), let line = Int(rest[..<colon]) else { return LineError(line: 0, reason: String(rest)) }
        return LineError(line: line, reason: rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
}
