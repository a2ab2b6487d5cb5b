import Foundation
import InterestCore
import InterestStore
import Ranking

/// What `interests eval` runs.
public struct EvaluationOptions: Sendable {
    public var k: Int = 10
    public var methods: [RecommendationMethod] = [.popularity, .text, .cf, .sequence, .fused]
    /// A prepared split folder (train.jsonl + test.jsonl, the peers' format); nil: cut the
    /// database's own events leave-last-out.
    public var split: String?
    public var training = TrainingOptions()
    public var threads = 2
    /// Where the temporary training database goes (nil: the system's temporary folder).
    public var workDirectory: String?

    public init() {}
}

/// One method's figures.
public struct MethodEvaluation: Sendable, Codable {
    public var method: String
    public var all: RankingMetrics
    public var cold: RankingMetrics
    /// Share of the catalogue shown in at least one top-k list.
    public var coverage: Double
    public var seconds: Double
}

/// What `interests eval` reports.
public struct EvaluationReport: Sendable, Codable {
    public var split: String
    public var k: Int
    public var testUsers: Int
    public var coldUsers: Int
    public var catalogue: Int
    public var methods: [MethodEvaluation]
    public var training: TrainingReport
    /// Methods asked for whose model the training part did not give, and why.
    public var skipped: [String: String] = [:]
    /// The head (100 items) of each method's ranked lists, for re-scoring by other tools (the
    /// metrics above come from the full lists: re-scored, Recall, NDCG and MRR agree, and AUC is
    /// estimated for the unranked rest as evaluate_lists.py does).
    public var lists: [String: [Recommendation]]
}

extension Evaluation {
    /// Leave-last-out evaluation with full ranking and seen items excluded (the peers'
    /// protocol): a temporary database gets the training part, `train` runs on it, and each
    /// method ranks the whole catalogue for every test user; Recall@k, NDCG@k, MRR@k, AUC and
    /// coverage over all test users and the cold slice (≤ 4 positive training events).
    public func evaluate(_ options: EvaluationOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(InterestMinerError) -> EvaluationReport {
        let dir = (options.workDirectory ?? NSTemporaryDirectory()) + "/interests-eval-\(UUID().uuidString)"
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw .unwritableOutput(path: dir, reason: error.localizedDescription)
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try InterestMiner(databasePath: dir + "/train.sqlite")
        var test: [String: String] = [:]
        let splitName: String
        if let split = options.split {
            splitName = split
            progress("eval: ingesting \(split)/train.jsonl")
            _ = try await trainer.ingest([.file(split + "/train.jsonl")])
            test = try Self.readTestFile(split + "/test.jsonl")
        } else {
            splitName = databasePath + " (leave-last-out)"
            test = try cutLeaveLastOut(into: trainer, progress: progress)
        }
        guard !test.isEmpty else {
            throw .missing(what: "no test users: nobody has three positive items to hold one out", hint: "evaluate on more data or pass --split DIR")
        }
        progress("eval: training on the training part")
        let training = try trainer.train(options.training, progress: progress)
        let seen: [String: Set<String>]
        let positives: [String: Int]
        var catalogue: Set<String>
        let trained = try trainer.store
        do {
            seen = try trained.userItems()
            catalogue = Set(try trained.externalIDs().items.values)
            positives = try trained.positiveEventCounts()
        } catch {
            throw .store(error)
        }
        catalogue.formUnion(test.values)
        let users = test.keys.sorted()
        let cold = users.filter { (positives[$0] ?? 0) <= 4 }
        var results: [MethodEvaluation] = []
        var allLists: [String: [Recommendation]] = [:]
        var skipped: [String: String] = [:]
        let clock = ContinuousClock()
        for method in options.methods {
            if let why = Self.unavailable(method, training) {
                skipped[method.rawValue] = why
                progress("eval: \(method.rawValue) left out — \(why)")
                continue
            }
            progress("eval: ranking with \(method.rawValue)")
            let start = clock.now
            // Each full list is scored as it comes and only its head kept: full lists of every
            // method were U × I entries (seq-beauty: 22,363 × 12,101 per method, over 20 GB).
            var lists: [String: [String]] = [:]
            var recs: [Recommendation] = []
            var placed: [String: (rank: Double, listed: Bool, candidates: Int)] = [:]
            let keep = max(options.k, Self.keptListLength)
            try trainer.recommend(method: method, users: users, top: catalogue.count, threads: options.threads) { r in
                if let target = test[r.user] {
                    placed[r.user] = ListEvaluation.rankInList(r.items, target: target, seen: seen[r.user] ?? [], catalogue: catalogue)
                }
                let head = Recommendation(user: r.user, items: Array(r.items.prefix(keep)), scores: Array(r.scores.prefix(keep)), note: r.note)
                lists[r.user] = head.items
                recs.append(head)
            }
            let seconds = (clock.now - start).seconds
            func metrics(_ group: [String]) -> RankingMetrics {
                let rows = group.compactMap { u -> (rank: Double, listed: Bool, candidates: Int)? in
                    guard let target = test[u] else { return nil }
                    return placed[u] ?? ListEvaluation.rankInList([], target: target, seen: seen[u] ?? [], catalogue: catalogue)
                }
                return RankingMetrics.from(ranks: rows.map(\.rank), candidates: rows.map(\.candidates), inList: rows.map(\.listed), k: options.k)
            }
            results.append(MethodEvaluation(method: method.rawValue, all: metrics(users), cold: metrics(cold),
                                            coverage: ListEvaluation.coverage(lists, catalogue: catalogue, k: options.k), seconds: seconds))
            allLists[method.rawValue] = recs
        }
        let report = EvaluationReport(split: splitName, k: options.k, testUsers: users.count, coldUsers: cold.count, catalogue: catalogue.count,
                                      methods: results, training: training, skipped: skipped, lists: allLists)
        try keep(report)
        return report
    }

    /// Keeps the report's summary (no ranked lists) in the evaluated database, for the
    /// console's shop page.
    private func keep(_ report: EvaluationReport) throws(InterestMinerError) {
        var summary = report
        summary.lists = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json: String
        do { json = String(decoding: try encoder.encode(summary), as: UTF8.self) } catch {
            throw .unwritableOutput(path: databasePath, reason: "the evaluation report could not be encoded: \(error)")
        }
        do { try store.saveEvaluation(json, at: Int64(Date().timeIntervalSince1970)) } catch { throw .store(error) }
    }

    /// Why `method` cannot be evaluated after a training run that produced `report` (nil: it can).
    static func unavailable(_ method: RecommendationMethod, _ report: TrainingReport) -> String? {
        switch method {
        case .text: report.embedding == nil ? (report.textSkipped ?? "no text model was trained") : nil
        case .cf: report.cf == nil ? "no collaborative model was trained" : nil
        case .sequence: report.sequence == nil ? (report.sequenceSkipped ?? "no sequence model was trained (--sequence none)") : nil
        case .fused, .popularity: report.ranker == nil ? "no fused ranker was trained" : nil
        }
    }

    /// Items kept of each ranked list for the report (`lists/METHOD.jsonl`); the metrics are
    /// computed on the full lists.
    static let keptListLength = 100

    /// Copies this database's events into `trainer`, each eligible user's last positive item
    /// left out; returns user → held-out item.
    private func cutLeaveLastOut(into trainer: InterestMiner, progress: @Sendable (String) -> Void) throws(InterestMinerError) -> [String: String] {
        var splitEvents: [LeaveLastOut.Event<String, String>] = []
        do {
            try store.forEachEvent { batch in
                for e in batch {
                    switch e {
                    case .review(let r): splitEvents.append(.init(user: r.user, item: r.item, timestamp: r.timestamp, positive: r.rating.map { $0 >= 1 } ?? true))
                    case .interaction(let x): splitEvents.append(.init(user: x.user, item: x.item, timestamp: x.timestamp, positive: x.rating.map { $0 >= 1 } ?? true))
                    case .query, .item: break
                    }
                }
            }
        } catch {
            throw .store(error)
        }
        let held = LeaveLastOut.heldOut(splitEvents)
        progress("eval: \(held.count) users hold out their last item")
        var cache = IdentityCache()
        do {
            try store.forEachEvent { batch in
                let kept = batch.filter { e in
                    switch e {
                    case .review(let r): held[r.user] != r.item
                    case .interaction(let x): held[x.user] != x.item
                    case .query, .item: true
                    }
                }
                _ = try trainer.store.write(kept, cache: &cache)
            }
        } catch {
            throw .store(error)
        }
        return held
    }

    static func readTestFile(_ path: String) throws(InterestMinerError) -> [String: String] {
        var out: [String: String] = [:]
        for (n, line) in try InterestMiner.readLines([path]).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let user = object["user"].map({ "\($0)" }), let item = object["item"].map({ "\($0)" }) else {
                throw .invalidArgument(name: "test file", reason: "\(path):\(n + 1): expected {\"user\": …, \"item\": …}")
            }
            if out[user] == nil { out[user] = item }
        }
        return out
    }
}
