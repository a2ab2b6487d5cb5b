import EventFormat
import Foundation
import InterestCore
import InterestStore
import Ranking

/// What the service answers many times a second, one user at a time: the same results as the
/// batch API (`recommend(method:users:top:)`), but from cached models and indexed reads of that
/// one user, instead of whole-table reads per call.
extension Serving {
    /// One user's top `top` items by `method`, seen items excluded — exactly what
    /// `recommend(method:users:[user]:top:)` answers (the tests compare the two) — or nil when the
    /// user is unknown. The collaborative model comes from the cache (`servingCFModel`); a user
    /// with events newer than the model is folded in, as in the batch API.
    public func recommendation(forUser user: String, top: Int, method: RecommendationMethod) throws(InterestMinerError) -> Recommendation? {
        try recommendation(forUser: user, top: top, method: method, shortlist: true)
    }

    func recommendation(forUser user: String, top: Int, method: RecommendationMethod, shortlist: Bool) throws(InterestMinerError) -> Recommendation? {
        guard top >= 1 else { throw .invalidArgument(name: "top", reason: "must be at least 1") }
        switch method {
        case .cf:
            guard let cf = try servingCFModel() else {
                throw .missing(what: "\(databasePath) has no collaborative model yet", hint: "run `interests train --db \(databasePath)` first")
            }
            let activity: UserActivity?
            do { activity = try store.userActivity(user, after: cf.watermark, factorVersion: cf.version) } catch { throw .store(error) }
            guard let activity else { return nil }
            guard let vector = try cfVector(user, cf, trained: activity.factor, stale: activity.newSinceWatermark) else {
                return Recommendation(user: user, items: [], scores: [])
            }
            let seen = Set(activity.items.compactMap { cf.itemColumn[$0] })
            return Self.best(cf.model.scores(userVector: vector), catalogue: cf.itemIDs, top: top, user: user) { seen.contains($0) }
        case .text:
            let model = try requireTextModel()
            let state: UserTextState?
            do { state = try store.userTextState(user) } catch { throw .store(error) }
            guard let state else { return nil }
            let table = try servingItemTable(model)
            // Mean of the user's review and query vectors, else of the items they touched.
            var vector = state.sum?.normalized()
            if vector == nil {
                let row = Dictionary(table.ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
                var acc = [Float](repeating: 0, count: table.dimension)
                var n = 0
                for item in state.items.sorted() {
                    guard let r = row[item] else { continue }
                    acc.add(Array(table.values[(r * table.dimension)..<((r + 1) * table.dimension)]))
                    n += 1
                }
                if n > 0 { vector = acc.normalized() }
            }
            guard let vector else { return Recommendation(user: user, items: [], scores: []) }
            let catalogue = table.ids
            return Self.best(table.scores(vector), catalogue: catalogue, top: top, user: user) { state.items.contains(catalogue[$0]) }
        case .fused:
            return try fusedRecommendation(forUser: user, top: top, query: nil, shortlist: shortlist)
        case .sequence:
            let ctx = try requireSequence()
            guard let (signals, seen) = try userSignals(user, ctx) else { return nil }
            guard let scores = Self.sequenceScores(signals, seen: seen, ctx) else { return Recommendation(user: user, items: [], scores: []) }
            return Self.best(scores, catalogue: ctx.items, top: top, user: user) { seen.contains($0) }
        case .popularity:
            // The same list for everyone, less what this user has seen.
            let ctx = try requireRanker()
            guard let (_, seen) = try userSignals(user, ctx) else { return nil }
            return Self.best(ctx.catalogue.popularity, catalogue: ctx.items, top: top, user: user) { seen.contains($0) }
        }
    }

    /// One user's top `top` by the fused ranker (with `query`, personalised search, as
    /// `rank(user:query:)`), seen items excluded, without `rank`'s per-item explanations: the
    /// service's recommendation read. nil: unknown user — unless `newUserIfUnknown`: then what a
    /// user without events gets (`newUserSignals`: the cold-start weights on popularity, and the
    /// query), as `rank` answers for an unknown user.
    public func fusedRecommendation(forUser user: String, top: Int, query: String? = nil,
                                    newUserIfUnknown: Bool = false) throws(InterestMinerError) -> Recommendation? {
        try fusedRecommendation(forUser: user, top: top, query: query, shortlist: true, newUserIfUnknown: newUserIfUnknown)
    }

    /// `shortlist`: use the candidate index when the ranker has one (the service); false scans
    /// the whole catalogue, as the batch API does.
    func fusedRecommendation(forUser user: String, top: Int, query: String?, shortlist: Bool,
                             newUserIfUnknown: Bool = false) throws(InterestMinerError) -> Recommendation? {
        guard top >= 1 else { throw .invalidArgument(name: "top", reason: "must be at least 1") }
        let ctx = try requireRanker()
        guard let (signals, seen) = try userSignals(user, ctx) ?? (newUserIfUnknown ? Self.newUserSignals : nil) else { return nil }
        try prepareRecentPopularity(ctx, time: signals.time)
        let best: [(id: Int32, score: Float)]
        var note: String?
        if let query, let personalised = try personalise(ctx.scorer.scores(signals, excluding: seen), query: query, ctx) {
            best = TopK.best(top, of: personalised.scores)
        } else {
            if query != nil { note = Self.unknownQueryNote }
            if shortlist, let index = ctx.candidates {
                best = ctx.scorer.top(top, for: signals, excluding: seen, candidates: index)
            } else {
                best = ctx.scorer.top(top, for: signals, excluding: seen)
            }
        }
        return Recommendation(user: user, items: best.map { ctx.items[Int($0.id)] }, scores: best.map(\.score), note: note)
    }

    private static func best(_ scores: [Float], catalogue: [String], top: Int, user: String, excluded: (Int) -> Bool) -> Recommendation {
        var best = TopK(top)
        for (i, s) in scores.enumerated() where !excluded(i) { best.offer(Int32(i), s) }
        let ranked = best.sorted()
        return Recommendation(user: user, items: ranked.map { catalogue[Int($0.id)] }, scores: ranked.map(\.score))
    }

    /// The newest collaborative model from the cache, keyed by its stored version and the highest
    /// item row id (a new item may need folding in); nil when none was trained. A retrain (in
    /// this process or by another `interests train`) is picked up by the next call: the new model
    /// replaces the old in one step, and callers keep the old one while it loads.
    func servingCFModel(fresh: Bool = false) throws(InterestMinerError) -> LoadedCFModel? {
        try models.cfSlot.get(key: { () throws(InterestMinerError) -> [Int] in try self.cfCacheKey() }, fresh: fresh,
                              load: { () throws(InterestMinerError) -> LoadedCFModel? in try self.loadCFModel() })
    }

    /// The item vectors from the cache, keyed by the text encoder's version and the newest item
    /// row (a new item joins at once; vectors of existing items move with their new reviews and
    /// are refreshed at the next key change), so a request does not read every item vector.
    func servingItemTable(_ model: LoadedTextModel, fresh: Bool = false) throws(InterestMinerError) -> VectorTable {
        let dimension = model.encoder.dimension
        let table = try models.itemTableSlot.get(key: { () throws(InterestMinerError) -> [Int] in try self.itemTableKey() }, fresh: fresh, load: { () throws(InterestMinerError) -> VectorTable? in try self.itemVectorTable(dimension: dimension) })
        return table ?? VectorTable(ids: [], vectors: [], dimension: dimension)
    }

    private func itemTableKey() throws(InterestMinerError) -> [Int] {
        let state: (versions: [String: Int], maxItem: Int64)
        do { state = try store.servingState() } catch { throw .store(error) }
        return [state.versions[ModelKind.textEncoder] ?? 0, Int(state.maxItem)]
    }

    private func cfCacheKey() throws(InterestMinerError) -> [Int] {
        let state: (versions: [String: Int], maxItem: Int64)
        do { state = try store.servingState() } catch { throw .store(error) }
        guard let version = state.versions[ModelKind.cf] else { return [0] }
        return [version, Int(state.maxItem)]
    }

    /// The newest stored version of every model kind (`tokenizer`, `text-encoder`, `profile`, `cf`, …).
    public func modelVersions() throws(InterestMinerError) -> [String: Int] {
        do { return try store.latestVersions() } catch { throw .store(error) }
    }

    /// Whether the database has a collaborative model.
    public func hasCollaborativeModel() throws(InterestMinerError) -> Bool {
        try modelVersions()[ModelKind.cf] != nil
    }

    /// After this process activated a generation: loads it for every model this process holds,
    /// here on the training thread, while requests keep being answered by the previous
    /// generation; each model is swapped in when it is ready. Models nobody asked for yet stay
    /// unloaded (the first caller loads them). A load that fails leaves the slot to the next
    /// caller, as after a start.
    func refreshServingModels() {
        let held = models.held
        if held.text || held.itemTable, let model = try? loadTextModel(fresh: true), held.itemTable {
            _ = try? servingItemTable(model, fresh: true)
        }
        if held.terms { _ = try? loadTermsModel(fresh: true) }
        if held.cf { _ = try? servingCFModel(fresh: true) }
        if held.ranker { _ = try? loadRanker(fresh: true) }
    }

    /// Whether the user has a row (any event) in the database.
    public func knowsUser(_ user: String) throws(InterestMinerError) -> Bool {
        do { return try store.userExists(user) } catch { throw .store(error) }
    }
}

extension InterestMiner {
    /// Why `id` is not a usable user or item id, or nil: the rule ingest applies (`Identifier`:
    /// 1–256 characters, not blank, no control characters), for ids that arrive another way.
    public static func identifierProblem(_ id: String) -> String? {
        Identifier.problem(id)
    }

    /// Parses a time bound given in a request (the service's `since`): Unix seconds, or an RFC
    /// 3339 date or date-time (`TimestampParser.parseBound`: exactly docs/openapi.yaml's grammar).
    public static func parseTime(_ text: String) throws(InterestMinerError) -> Int64 {
        do { return try TimestampParser.parseBound(text) } catch {
            throw .invalidArgument(name: "time '\(text)'", reason: "\(error)")
        }
    }
}

extension ModelKind {
    static let cf = "cf"
}
