import Foundation
import InterestCore
import InterestStore
import Ranking

/// How `interests recommend` ranks.
public enum RecommendationMethod: String, Sendable, CaseIterable, Codable {
    /// The learned fusion of collaborative, text, attention and popularity signals (default).
    case fused
    /// Cosine between the user's text vector and item vectors.
    case text
    /// Dot product of collaborative-filtering factors (folded in for users new since training).
    case cf
    /// How many users acted positively on each item (the same list for everyone).
    case popularity
    /// The sequence model over the user's current history (events since training included).
    case sequence
}

/// One user's ranked items (best first) and their scores: the line format
/// ../shared/peers/evaluate_lists.py reads.
public struct Recommendation: Sendable, Codable, Equatable {
    public var user: String
    public var items: [String]
    public var scores: [Float]
    /// Why the list is not what was asked for (a search query with no known word).
    public var note: String? = nil
}

extension Serving {
    /// Ranks the whole catalogue for each user (items they already reviewed or interacted with
    /// excluded) and hands each user's top `top` to `emit`, in the order of `users` (all users
    /// in id order when nil). Users the method knows nothing about get an empty list.
    ///
    /// Text method: the user's vector is the mean of their review and query vectors; a user
    /// with neither gets the mean of the vectors of the items they touched.
    ///
    /// `ready` is called once the models and the users' signals are loaded, before the first
    /// user is scored, with the number of users and of catalogue items (0 on the per-user path,
    /// which loads a user's rows as it scores them).
    public func recommend(method: RecommendationMethod, users given: [String]?, shard: UserShard? = nil, top: Int, threads: Int = 2,
                          ready: (_ users: Int, _ catalogue: Int) -> Void = { _, _ in },
                          emit: (Recommendation) throws -> Void) throws(InterestMinerError) {
        var users = given
        if let shard, shard.count > 1 {
            var all = users ?? []
            if users == nil {
                do { all = try store.userIDs() } catch { throw .store(error) }
            }
            users = all.filter { shard.contains($0) }
        }
        if let users, try isFewOfMany(users.count) {
            ready(users.count, 0)
            try recommendOneByOne(method: method, users: users, top: top, threads: threads, emit: emit)
            return
        }
        let userList: [String]
        do {
            if let users { userList = users } else { userList = try store.userIDs() }
        } catch {
            throw .store(error)
        }
        let scorer = try makeScorer(method, users: userList)
        let seen = try seenItems(for: scorer)
        ready(userList.count, scorer.items.count)
        try recommend(with: scorer, users: userList, seen: seen, top: top, threads: threads, emit: emit)
    }

    /// Whether `count` users are at most a quarter of the store's: then each one's own rows are
    /// read by index (what the service does per request, O(their events)) instead of one pass over
    /// every user's events and factors (O(all events)). At 1M users a per-user read costs a few
    /// times a user's share of the pass, hence the quarter.
    private func isFewOfMany(_ count: Int) throws(InterestMinerError) -> Bool {
        let all: Int
        do { all = try store.userCount() } catch { throw .store(error) }
        return count <= all / 4
    }

    /// The per-request path for each of `users`, on `threads` threads, emitted in their order;
    /// a full catalogue scan (no shortlist), so the lists equal the one-pass batch's.
    private func recommendOneByOne(method: RecommendationMethod, users: [String], top: Int, threads: Int,
                                   emit: (Recommendation) throws -> Void) throws(InterestMinerError) {
        let chunk = 2048
        var start = 0
        while start < users.count {
            let part = Array(users[start..<min(start + chunk, users.count)])
            let answers = parallelMap(part, threads: threads, makeState: { () }) { [self] _, user in
                Result { () throws(InterestMinerError) -> Recommendation? in
                    try recommendation(forUser: user, top: top, method: method, shortlist: false)
                }
            }
            for (user, answer) in zip(part, answers) {
                try emitting(emit, try answer.get() ?? Recommendation(user: user, items: [], scores: []))
            }
            start += chunk
        }
    }

    private func emitting(_ emit: (Recommendation) throws -> Void, _ r: Recommendation) throws(InterestMinerError) {
        do {
            try emit(r)
        } catch let e as InterestMinerError {
            throw e
        } catch {
            throw .unwritableOutput(path: "recommendations", reason: "\(error)")
        }
    }

    /// Each user's items, for methods whose scores do not already leave seen items out.
    private func seenItems(for scorer: Scorer) throws(InterestMinerError) -> [String: Set<String>] {
        if scorer.excludesSeen { return [:] }
        do { return try store.userItems() } catch { throw .store(error) }
    }

    private func recommend(with scorer: Scorer, users userList: [String], seen: [String: Set<String>], top: Int, threads: Int,
                           emit: (Recommendation) throws -> Void) throws(InterestMinerError) {
        let catalogue = scorer.items
        let rowOf = Dictionary(catalogue.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let chunk = 2048
        var start = 0
        while start < userList.count {
            let part = Array(userList[start..<min(start + chunk, userList.count)])
            let results = parallelMap(part, threads: threads, makeState: { () }) { _, user -> Recommendation in
                let touched = seen[user] ?? []
                guard var scores = scorer.score(user, touched) else { return Recommendation(user: user, items: [], scores: []) }
                // Seen items drop out by row (no string hashing per catalogue item).
                for item in touched { if let r = rowOf[item], r < scores.count { scores[r] = -.infinity } }
                let ranked = TopK.best(top, of: scores)
                return Recommendation(user: user, items: ranked.map { catalogue[Int($0.id)] }, scores: ranked.map(\.score))
            }
            for r in results { try emitting(emit, r) }
            start += chunk
        }
    }


    /// The ranker's context when it has a sequence model, else why not.
    func requireSequence() throws(InterestMinerError) -> RankerContext {
        let ctx = try requireRanker()
        guard ctx.sequence != nil else {
            throw .missing(what: "\(databasePath) has no sequence model", hint: "run `interests train --db \(databasePath)` (it trains one when users have ordered histories; not with `--sequence none`)")
        }
        return ctx
    }

    /// y·E over the catalogue with `seen` rows at −∞; nil for a user without a positive event.
    static func sequenceScores(_ s: UserSignals, seen: Set<Int>, _ ctx: RankerContext) -> [Float]? {
        let c = ctx.catalogue
        guard let y = s.sequence, y.count == c.sequenceDimension, c.sequenceDimension > 0 else { return nil }
        var scores = VectorMath.gemv(c.sequenceItems, rows: c.count, dimension: c.sequenceDimension, y)
        for i in seen where i >= 0 && i < scores.count { scores[i] = -.infinity }
        return scores
    }

    /// A method's scores over its catalogue for one user (nil: nothing known about the user).
    struct Scorer: Sendable {
        let items: [String]
        /// True when `score` already gives seen items −∞ (it then gets no seen set).
        var excludesSeen = false
        let score: @Sendable (String, Set<String>) -> [Float]?
    }

    func makeScorer(_ method: RecommendationMethod, users: [String]) throws(InterestMinerError) -> Scorer {
        switch method {
        case .fused:
            let ctx = try requireRanker()
            let signals = try allUserSignals(ctx)
            return Scorer(items: ctx.items, excludesSeen: true) { user, _ in
                guard let (s, seen) = signals[user] else { return nil }
                return ctx.scorer.scores(s, excluding: seen)
            }
        case .sequence:
            let ctx = try requireSequence()
            let signals = try allUserSignals(ctx)
            return Scorer(items: ctx.items, excludesSeen: true) { user, _ in
                guard let (s, seen) = signals[user], let scores = Self.sequenceScores(s, seen: seen, ctx) else { return nil }
                return scores
            }
        case .popularity:
            let ctx = try requireRanker()
            let known: Set<String>
            do { known = Set(try store.userIDs()) } catch { throw .store(error) }
            return Scorer(items: ctx.items) { user, _ in known.contains(user) ? ctx.catalogue.popularity : nil }
        case .text:
            let model = try requireTextModel()
            let table = try itemVectorTable(dimension: model.encoder.dimension)
            let sums: [String: (sum: [Float], count: Int)]
            do { sums = try store.userTextVectorSums() } catch { throw .store(error) }
            let itemRow = Dictionary(table.ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
            return Scorer(items: table.ids) { user, touched in
                // Mean of the user's review and query vectors, else of the items they touched.
                var vector: [Float]?
                if let s = sums[user] {
                    vector = s.sum.normalized()
                } else {
                    var acc = [Float](repeating: 0, count: table.dimension)
                    var n = 0
                    // In id order, as the per-user path sums them: a set's order changes from
                    // process to process, and with it the float sum (the lists then differed
                    // between runs and backends).
                    for r in touched.sorted().compactMap({ itemRow[$0] }) {
                        acc.add(Array(table.values[(r * table.dimension)..<((r + 1) * table.dimension)]))
                        n += 1
                    }
                    if n > 0 { vector = acc.normalized() }
                }
                guard let vector else { return nil }
                return table.scores(vector)
            }
        case .cf:
            guard let cf = try loadCFModel() else {
                throw .missing(what: "\(databasePath) has no collaborative model yet", hint: "run `interests train --db \(databasePath)` first")
            }
            let stale: Set<String>
            let trained: [String: [Float]]
            do {
                stale = try store.usersWithEvents(after: cf.watermark)
                trained = try store.allUserFactors(version: cf.version)
            } catch {
                throw .store(error)
            }
            return Scorer(items: cf.itemIDs) { [self] user, _ in
                guard let v = try? cfVector(user, cf, trained: trained[user], stale: stale.contains(user)) else { return nil }
                return cf.model.scores(userVector: v)
            }
        }
    }
}
