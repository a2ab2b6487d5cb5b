import Foundation
import InterestCore
import InterestStore
import Ranking
import TextEmbedding
import Tokenization

/// One ranked item and why.
public struct RankedItem: Sendable, Codable, Equatable {
    public var item: String
    public var title: String?
    /// The final score (fused, plus query relevance with a query).
    public var score: Double
    /// The signals behind it: standardised text and CF scores, attention (−ln(1 − a)) over the
    /// user's recent items by text and by CF, standardised popularity, query relevance.
    public var text: Double
    public var cf: Double
    public var attention: Double
    public var cfAttention: Double
    public var popularity: Double
    public var query: Double?
    /// The sequence model's standardised score (nil without a sequence model).
    public var sequence: Double? = nil
    /// The user's interest terms this item matches (with `explain`).
    public var terms: [String]?
    /// The recent item of the user it is most like (with `explain`).
    public var like: String?
    /// The history items the sequence model drew on most for this item, strongest first (with
    /// `explain` and a sequence model): "because of X, Y".
    public var becauseOf: [String]? = nil
}

/// What `interests rank` answers.
public struct RankResult: Sendable, Codable, Equatable {
    public var user: String
    public var query: String?
    public var items: [RankedItem]
    /// Which weights ranked: "cold" or "warm" user, and notes such as an unknown user.
    public var segment: String
    public var note: String?
}

extension Serving {
    /// Weight of the standardised query relevance against the standardised fused score in
    /// personalised search: the query leads, the user's interests and behaviour order within it.
    public static let queryWeight: Float = 2

    /// Ranks the catalogue (or `items`) for a user by the fused score; with `query`, personalised
    /// search: z(query relevance)·2 + z(fused). Seen items are left out unless `includeSeen`.
    public func rank(user: String, items: [String]? = nil, query: String? = nil, top: Int = 10, explain: Bool = false,
                     includeSeen: Bool = false) throws(InterestMinerError) -> RankResult {
        let ctx = try requireRanker()
        var note: String?
        let (signals, seen): (UserSignals, Set<Int>)
        if let known = try userSignals(user, ctx) {
            (signals, seen) = known
        } else {
            (signals, seen) = Self.newUserSignals
            note = "unknown user '\(user)': ranked by what every new user gets (popularity, and the query if given)"
        }
        try prepareRecentPopularity(ctx, time: signals.time)
        var candidates: [Int]?
        if let items {
            var rows: [Int] = []
            var unknown: [String] = []
            for i in items {
                if let r = ctx.rowOfName[i] { rows.append(r) } else { unknown.append(i) }
            }
            guard unknown.isEmpty else { throw .unknownItems(unknown) }
            candidates = includeSeen ? rows : rows.filter { !seen.contains($0) }
        }
        // Seen items score −∞ unless included; a large catalogue is scored on both cores.
        var (scores, base) = ctx.scorer.scoresAndBase(signals, excluding: includeSeen ? [] : Array(seen),
                                                     threads: ctx.catalogue.count >= 50_000 ? 2 : 1)
        var queryScores: [Float]?
        if let query {
            if let personalised = try personalise(scores, query: query, ctx) {
                (scores, queryScores) = personalised
            } else {
                note = [note, Self.unknownQueryNote].compactMap { $0 }.joined(separator: "; ")
            }
        }
        let ranked: [(id: Int32, score: Float)]
        if let candidates {
            var best = TopK(max(0, top))
            for i in candidates { best.offer(Int32(i), scores[i]) }
            ranked = best.sorted()
        } else {
            ranked = TopK.best(max(0, top), of: scores)
        }
        let chosen = ranked.map { Int($0.id) }
        var userTerms: [String] = []
        var termSpecificity: [String: Double] = [:]
        if explain, note == nil, ctx.text != nil {
            // The user's own terms only: "next" terms come from items like the ones ranked.
            userTerms = (try? terms(user: user, options: TermsOptions(top: 30, nextPlaces: 0)))?.terms.map(\.term) ?? []
            // How specific each is across the shop's items, for the explanations' order.
            if !userTerms.isEmpty, let rows = try? store.terms(named: Set(userTerms)) {
                termSpecificity = rows.compactMapValues(\.specificity)
            }
        }
        let itemTerms: [String: [(term: String, share: Double)]]
        do { itemTerms = explain ? try store.itemTerms(chosen.map { ctx.items[$0] }) : [:] } catch { throw .store(error) }
        let sequenceState = explain && ctx.sequence != nil ? self.sequenceState(signals.history, ctx, explaining: true) : nil
        var out: [RankedItem] = []
        for i in chosen {
            let name = ctx.items[i]
            let record = try itemRecord(name)
            var r = RankedItem(item: name, title: record?.title, score: Double(scores[i]), text: Double(base.text[i]), cf: Double(base.cf[i]),
                               attention: Double(ctx.scorer.textAttention(i, signals)), cfAttention: Double(ctx.scorer.cfAttention(i, signals)),
                               popularity: Double(ctx.catalogue.popularity[i]), query: queryScores.map { Double($0[i]) })
            if ctx.sequence != nil, signals.sequence != nil { r.sequence = Double(base.sequence[i]) }
            if explain {
                r.terms = matchedTerms(userTerms, specificity: termSpecificity, item: record, reviewTerms: itemTerms[name] ?? [], ctx: ctx)
                r.like = nearestRecent(i, signals, ctx)
                if let sequenceState { r.becauseOf = sequenceReasons(sequenceState, item: i, ctx) }
            }
            out.append(r)
        }
        let segment = signals.positives <= ctx.scorer.model.coldThreshold ? "cold" : "warm"
        return RankResult(user: user, query: query, items: out, segment: segment, note: note)
    }

    /// Personalised search: z(fused) + 2·z(query relevance); also the standardised relevance.
    /// nil when nothing in the query is known to the text model (no word of it in the shop's
    /// texts): it cannot order anything, so the caller ranks without it and says so
    /// (`unknownQueryNote`) — a search that finds nothing is an answer, not a mistake.
    func personalise(_ scores: [Float], query: String, _ ctx: RankerContext) throws(InterestMinerError) -> (scores: [Float], relevance: [Float])? {
        guard let text = ctx.text else { throw .missing(what: "no text model to read the query with", hint: "run `interests train`") }
        let q = text.encoder.encode(query)
        guard !q.isEmpty else { return nil }
        var rel = VectorMath.gemv(ctx.catalogue.itemVectors, rows: ctx.catalogue.count, dimension: ctx.catalogue.textDimension, q.values)
        standardise(&rel)
        var fused = scores
        standardise(&fused)
        return (zip(fused, rel).map { $0 + Self.queryWeight * $1 }, rel)
    }

    static let unknownQueryNote = "nothing in the query is known to the text model (no word of it occurs in the shop's texts): ranked without it"

    /// The user's terms that the item's text or its reviews' common terms contain, at most five:
    /// each weighed by its place among the user's terms (1 / (1 + rank)) times how specific it
    /// is across the shop's items (`TermSpecificity.explanationWeight`: a generic word 0, a
    /// specific one up to 4), best first; ties keep the user's order.
    private func matchedTerms(_ userTerms: [String], specificity: [String: Double], item: ItemRecord?,
                              reviewTerms: [(term: String, share: Double)], ctx: RankerContext) -> [String] {
        guard !userTerms.isEmpty else { return [] }
        var itemSide = Set(reviewTerms.map(\.term))
        if let text = ctx.text, let own = Self.itemText(title: item?.title, text: item?.text) {
            let session = TokenizerSession(text.encoder.tokenizer)
            for (t, _) in TermExtractor.candidates(session.pieces(own), tokenizer: text.encoder.tokenizer, splitter: text.splitter) { itemSide.insert(t) }
        }
        let weighed = userTerms.enumerated().compactMap { rank, term -> (term: String, weight: Double, rank: Int)? in
            guard itemSide.contains(term) else { return nil }
            let w = TermSpecificity.explanationWeight(specificity[term]) / Double(1 + rank)
            return w > 0 ? (term, w, rank) : nil
        }
        return weighed.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.rank < $1.rank }.prefix(5).map(\.term)
    }

    /// The user's recent item most like item `i` (by text vectors, else CF factors).
    private func nearestRecent(_ i: Int, _ user: UserSignals, _ ctx: RankerContext) -> String? {
        let c = ctx.catalogue
        func cosine(_ v: [Float], _ d: Int, _ a: Int, _ b: Int) -> Float {
            guard d > 0 else { return -2 }
            var s: Float = 0
            for k in 0..<d { s += v[a * d + k] * v[b * d + k] }
            return s
        }
        let best = user.recent.filter { $0 != i }.max { a, b in
            let x = max(cosine(c.itemVectors, c.textDimension, i, a), cosine(c.cfDirections, c.cfFactors, i, a))
            let y = max(cosine(c.itemVectors, c.textDimension, i, b), cosine(c.cfDirections, c.cfFactors, i, b))
            return x < y
        }
        return best.map { ctx.items[$0] }
    }
}
