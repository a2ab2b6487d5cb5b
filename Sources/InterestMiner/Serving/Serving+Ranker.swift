import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore
import Ranking

/// Everything the fused ranker needs that does not depend on the user, loaded once per set of
/// model versions: the catalogue in item-row order with item vectors, CF item factors and
/// popularity, and the fitted fusion weights.
struct RankerContext: Sendable {
    let version: Int
    let itemIDs: [Int64]
    let items: [String]
    let row: [Int64: Int]
    let rowOfName: [String: Int]
    let catalogue: RankingCatalogue
    let scorer: FusionScorer
    let cf: LoadedCFModel?
    let text: LoadedTextModel?
    /// The sequence model (its item table is `catalogue.sequenceItems`).
    let sequence: LoadedSequenceModel?
    let stored: StoredRanker
    /// The first stage without a catalogue scan, for a service over a large catalogue
    /// (`InterestMiner.candidateCatalogueSize`); nil: every request scans the catalogue.
    let candidates: CandidateIndex?
    /// Whether `catalogue` holds every item's daily activity; otherwise each day's recent
    /// popularity is read when a user of that day is ranked (`prepareRecentPopularity`).
    let activityInMemory: Bool
}

extension Serving {
    /// The newest ranker with the models it fuses, or nil when none was trained.
    func loadRanker(fresh: Bool = false) throws(InterestMinerError) -> RankerContext? {
        let state: (versions: [String: Int], maxItem: Int64)
        do { state = try store.servingState() } catch { throw .store(error) }
        guard state.versions[ModelKind.ranker] != nil else { return nil }
        // The newest item row too: a new item (record or first event) joins the catalogue with a
        // reload in the background (CF by fold-in, text by its vector).
        let inMemory = itemActivityInMemory
        let key = [ModelKind.ranker, "cf", ModelKind.textEncoder, ModelKind.profile, ModelKind.sequence].map { state.versions[$0] ?? 0 }
            + [Int(state.maxItem), inMemory ? 1 : 0]
        return try models.ranker(key: key, fresh: fresh) { () throws(InterestMinerError) in try self.readRanker(activityInMemory: inMemory) }
    }

    func requireRanker() throws(InterestMinerError) -> RankerContext {
        guard let r = try loadRanker() else {
            throw .missing(what: "\(databasePath) has no fused ranker yet", hint: "run `interests train --db \(databasePath)` first")
        }
        return r
    }

    /// Makes `ctx` know the recent popularity of the day of `time` (a no-op when its catalogue
    /// holds all daily activity): reads that window's item-days from the store once per day.
    func prepareRecentPopularity(_ ctx: RankerContext, time: Int64?) throws(InterestMinerError) {
        guard !ctx.activityInMemory, let time, !ctx.catalogue.knowsRecentPopularity(at: time) else { return }
        let day = UnixDay.of(time)
        do {
            let counts = try store.itemPositives(fromDay: day - RankingCatalogue.recentDays + 1, throughDay: day, rowOf: ctx.row, rows: ctx.catalogue.count)
            ctx.catalogue.rememberRecentCounts(day: day, counts: counts)
        } catch {
            throw .store(error)
        }
    }

    private func readRanker(activityInMemory: Bool) throws(InterestMinerError) -> RankerContext? {
        // The text model of the generation being loaded, not the one cached before it (which a
        // plain call hands out while the new one loads): a ranker built on the previous encoder
        // would be cached at the new key and never reloaded.
        let text = try loadTextModel(fresh: true)
        let cf = try loadCFModel()
        do {
            guard let meta = try store.latestModel(kind: ModelKind.ranker) else { return nil }
            let stored = try JSONDecoder().decode(StoredRanker.self, from: Data(meta.parameters.utf8))
            var reader = try BinaryReader(meta.payload, magic: TrainingPipeline.rankerMagic)
            var popularityOf: [Int64: Int] = [:]
            let count = try reader.readInt("item count")
            for _ in 0..<max(0, count) {
                let id = try reader.readInt64("item id")
                popularityOf[id] = try reader.readInt("popularity")
            }
            let catalogueRows = try store.itemCatalogue()
            let itemIDs = catalogueRows.map(\.id)
            let n = itemIDs.count
            let row = Dictionary(uniqueKeysWithValues: itemIDs.enumerated().map { ($0.element, $0.offset) })
            let items = catalogueRows.map(\.external)
            var itemVectors: [Float] = []
            let dimension = text?.encoder.dimension ?? 0
            if text != nil {
                itemVectors = try store.itemVectorMatrix(rowOf: row, rows: n, dimension: dimension, in: .active)
            }
            var cfItems: [Float] = []
            let factors = cf?.model.factors ?? 0
            if let cf {
                cfItems = [Float](repeating: 0, count: n * factors)
                for (k, id) in itemIDs.enumerated() {
                    guard let c = cf.itemColumn[id] else { continue }
                    for j in 0..<factors { cfItems[k * factors + j] = cf.model.itemFactors[c * factors + j] }
                }
            }
            // Daily counts kept current by ingest, so "in demand lately" is current (O(item-days)).
            var activity = [DailyCounts](repeating: .empty, count: activityInMemory ? n : 0)
            if activityInMemory {
                try store.forEachItemDays { item, days, counts in
                    if let r = row[item] { activity[r] = DailyCounts(ascendingDays: days, counts: counts) }
                }
            }
            let sequence = try readSequenceModel(itemIDs: itemIDs, itemVectors: itemVectors, textDimension: dimension, textVersion: text?.version)
            let catalogue = RankingCatalogue(
                count: n, textDimension: dimension, itemVectors: itemVectors, cfFactors: factors, cfItems: cfItems,
                popularity: RankingCatalogue.standardisedLogCounts(itemIDs.map { popularityOf[$0] ?? 0 }),
                activity: activity, sequenceDimension: sequence?.0.model.dimension ?? 0, sequenceItems: sequence?.table ?? [])
            // A feature whose model is gone (e.g. `--cf none` after training) gets weight 0.
            var model = stored.model
            for (k, f) in model.features.enumerated()
            where ((f == .collaborative || f == .collaborativeAttention) && cf == nil) || ((f == .text || f == .attention) && text == nil)
                || (f == .sequence && sequence == nil) {
                model.coldWeights[k] = 0
                model.warmWeights[k] = 0
            }
            let threshold = candidateCatalogueSize
            let candidates = threshold.map { n >= $0 } == true ? CandidateIndex(catalogue: catalogue) : nil
            return RankerContext(version: meta.version, itemIDs: itemIDs, items: items, row: row,
                                 rowOfName: Dictionary(items.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a }),
                                 catalogue: catalogue, scorer: FusionScorer(catalogue: catalogue, model: model), cf: cf, text: text,
                                 sequence: sequence?.0, stored: stored,
                                 candidates: candidates, activityInMemory: activityInMemory)
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            throw .missing(what: "the stored ranker is unreadable (\(error))", hint: "re-run `interests train`")
        }
    }

    /// What the ranker knows of a user without events (never seen, or forgotten): nothing, so
    /// the cold-start weights rank by popularity (and a query, when given).
    static let newUserSignals = (UserSignals(cf: nil, profile: nil, recent: [], positives: 0), seen: Set<Int>())

    /// One user's signals for the ranker, read from the store (their events, profile, and CF
    /// factors — folded in when they have events newer than the model). nil: unknown user.
    func userSignals(_ user: String, _ ctx: RankerContext) throws(InterestMinerError) -> (UserSignals, seen: Set<Int>)? {
        let state: UserRankingState?
        do { state = try store.userRankingState(user, after: ctx.cf?.watermark, factorVersion: ctx.cf?.version) } catch { throw .store(error) }
        guard let state else { return nil }
        let behaviour = UserBehaviour(rows: state.rows, catalogueRow: ctx.row)
        var cfVector: [Float]?
        if let cf = ctx.cf {
            if let trained = state.factor, !state.hasNewerEvents, trained.count == cf.model.factors { cfVector = trained } else { cfVector = Self.foldIn(state.rows, cf) }
        }
        let direction = state.profile.flatMap { $0.version == ctx.text?.version ? $0.profile.direction : nil }
        let signals = UserSignals(cf: cfVector, profile: direction, recent: behaviour.recent, positives: behaviour.positives, time: behaviour.latest,
                                  sequence: sequenceState(behaviour.history, ctx)?.vector, history: behaviour.history)
        return (signals, behaviour.seen)
    }

    /// Signals of every user at once (batch recommendations): one pass over the events and the
    /// profiles; CF vectors trained, or folded in for users with newer events.
    func allUserSignals(_ ctx: RankerContext) throws(InterestMinerError) -> [String: (UserSignals, seen: Set<Int>)] {
        let rows: EventsByUser
        let users: [Int64: String]
        var profiles: [Int64: [Float]] = [:]
        var stale = Set<String>()
        var trained: [String: [Float]] = [:]
        do {
            rows = try store.eventsByUser(upTo: nil).table
            users = try store.externalIDs().users
            if let t = ctx.text { profiles = try store.profileDirections(version: t.version) }
            if let cf = ctx.cf {
                stale = try store.usersWithEvents(after: cf.watermark)
                trained = try store.allUserFactors(version: cf.version)
            }
        } catch {
            throw .store(error)
        }
        let behaviour = BehaviourIndex(rows: rows, catalogueRow: ctx.row, catalogueCount: ctx.catalogue.count)
        // Users the CF model has no current row for are folded in from the rows already read.
        var foldRows: [Int64: [InteractionRow]] = [:]
        if ctx.cf != nil {
            let fold = Set(users.compactMap { uid, name in trained[name] == nil || stale.contains(name) ? uid : nil })
            for r in rows where fold.contains(r.user) { foldRows[r.user, default: []].append(r) }
        }
        let list = Array(users)
        let cf = ctx.cf, staleUsers = stale, folded = foldRows, directions = profiles, trainedFactors = trained
        let signals = parallelMap(list, threads: 2, makeState: { () }) { [self] _, entry -> (UserSignals, seen: Set<Int>) in
            let (uid, name) = entry
            var cfVector: [Float]?
            if let cf {
                if let v = trainedFactors[name], !staleUsers.contains(name) { cfVector = v } else { cfVector = Self.foldIn(folded[uid] ?? [], cf) }
            }
            let own = behaviour[uid]
            return (UserSignals(cf: cfVector, profile: directions[uid], recent: own.recent, positives: own.positives, time: own.latest,
                                sequence: sequenceState(own.history, ctx)?.vector, history: own.history), own.seen)
        }
        var out: [String: (UserSignals, seen: Set<Int>)] = [:]
        out.reserveCapacity(list.count)
        for (k, entry) in list.enumerated() { out[entry.value] = signals[k] }
        return out
    }
}
