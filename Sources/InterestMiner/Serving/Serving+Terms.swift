import Foundation
import InterestCore
import InterestStore
import Ranking
import TextEmbedding
import Tokenization

/// One interest term of a user.
public struct InterestTerm: Sendable, Codable, Equatable {
    public var term: String
    public var score: Double
    /// How many of the user's events contain it (their own text, or the text of an item they touched).
    public var evidence: Int
    /// The interest (cluster) it belongs to, 0 = the heaviest.
    public var cluster: Int
    /// With `explain`: the user's texts that support it, newest first (at most three).
    public var support: [String]?
    /// With `explain`, for a term none of the user's events carries: the items the user is likely
    /// to want next (touched together with theirs by other users) whose reviews use it, best first.
    public var next: [String]?
}

/// One of a user's interests: its share of the (decayed) weight and its own best terms.
public struct InterestSummary: Sendable, Codable, Equatable {
    public var cluster: Int
    public var share: Double
    public var events: Int
    public var terms: [String]
}

/// What `interests terms` answers for one user.
public struct UserInterestTerms: Sendable, Codable, Equatable {
    public var user: String
    public var terms: [InterestTerm]
    public var interests: [InterestSummary]
    /// Events that carried weight.
    public var events: Int
    /// Why there are no terms ("no evidence: …"), or nil.
    public var note: String?
}

/// Options of `interests terms`.
public struct TermsOptions: Sendable {
    public var top: Int
    /// Only events at or after this time (seconds since 1970).
    public var since: Int64?
    public var explain: Bool
    public var clustering: InterestClustering.Settings
    public var scoring: TermScoring.Settings
    /// Terms from the title and description of an item the user only touched (no text of their
    /// own) count this much of the event's weight.
    public var itemTextWeight: Double
    /// Terms of the shop's reviews of the user's items count this much of the event's weight,
    /// times the share of those reviews that contain them (each item's 60 most common terms,
    /// computed by `interests train`).
    public var itemReviewWeight: Double
    /// What the user is likely to want next (`NextTermSettings`); nil: the settings `interests
    /// train` chose for this database by validation, else `NextTermSettings.fallback`.
    public var nextItems: Int?
    public var nextPlaces: Int?
    public var nextStrength: Double?
    /// Tests: tokenize every text even when its candidate terms are stored.
    var ignoreStoredCandidates = false

    public init(top: Int = 10, since: Int64? = nil, explain: Bool = false, clustering: InterestClustering.Settings = .init(),
                scoring: TermScoring.Settings = .init(), itemTextWeight: Double = 0.1, itemReviewWeight: Double = 0.25,
                nextItems: Int? = nil, nextPlaces: Int? = nil, nextStrength: Double? = nil) {
        self.nextPlaces = nextPlaces
        self.nextStrength = nextStrength
        self.nextItems = nextItems
        self.itemReviewWeight = itemReviewWeight
        self.top = top
        self.since = since
        self.explain = explain
        self.clustering = clustering
        self.scoring = scoring
        self.itemTextWeight = itemTextWeight
    }
}

/// One term's tally over a user's events.
struct TermTally: Sendable {
    var weight = 0.0
    var evidence = 0
    var perInterest: [Double]
    var isPhrase = false
    /// The user's events (indices) whose own text carries it.
    var support: [Int] = []
}

/// What `termsBasis` found: an answer already (no evidence), or the basis to finish.
enum TermsBasisResult: Sendable {
    case answered(UserInterestTerms)
    case basis(TermsBasis)
}

/// A user's terms before the "what next" settings apply (`Serving.termsBasis`).
struct TermsBasis: Sendable {
    let user: String
    let events: [UserEventVector]
    let weights: [Double]
    let pointOf: [Int: Int]
    let clusterOf: [Int]
    /// Events that carried weight.
    let points: Int
    let interests: [InterestClustering.Interest]
    /// Each interest's share of the decayed weight now.
    let shares: [Double]
    /// Each point's weight before decay (its kind, rating or action), for the interests' weight
    /// over time (`Serving.interestProfile`).
    let rawWeights: [Double]
    let tally: [String: TermTally]
    let ownCJK: Double?
    /// The review terms of the user's items.
    let vocab: [String: [(term: String, share: Double)]]
    /// The stored rows of the tallied terms.
    let rows: [String: TermRow]
}

extension Serving {
    /// A user's interests in words: their recent events (decayed by the profile rule's half-life
    /// from their newest event), clustered into up to K interests, and the readable terms of
    /// those events scored by `TermScoring` (README "Interest terms").
    public func terms(user: String, options: TermsOptions = TermsOptions()) throws(InterestMinerError) -> UserInterestTerms {
        try terms(user: user, options: options, context: termsContext())
    }

    /// The same for many users, one answer each, in order (models loaded once).
    public func terms(users: [String], options: TermsOptions = TermsOptions(), emit: (UserInterestTerms) throws -> Void) throws(InterestMinerError) {
        let context = try termsContext()
        for user in users {
            let answer = try terms(user: user, options: options, context: context)
            do { try emit(answer) } catch { throw .unwritableOutput(path: "terms", reason: "\(error)") }
        }
    }

    /// What one `terms` run needs from the models: the profile rule and term statistics. Texts'
    /// candidate terms are stored beside their vectors, so the tokenizer (megabytes of JSON) is
    /// loaded only for a text stored without them (a database from before that).
    struct TermsContext: Sendable {
        let rule: ProfileRule
        let documents: Int
        /// The database's "what next" settings (tuned at train, else the fallback).
        var next: NextTermSettings
        /// A validation world's item neighbours (nil: the stored ones).
        var neighbours: [String: [(item: String, score: Double)]]?
        /// A validation world's held-out item: the user's events on it are left out.
        var hiddenItem: [String: String] = [:]
    }

    func termsContext() throws(InterestMinerError) -> TermsContext {
        do {
            guard let model = try store.latestModelParameters(kind: ModelKind.textEncoder) else {
                throw InterestMinerError.missing(what: "\(databasePath) has no text vectors yet", hint: "run `interests train --db \(databasePath)` first")
            }
            let profile = try loadProfileModel(textEncoderVersion: model.version)
            let tuned = try store.latestModelParameters(kind: ModelKind.nextTerms).flatMap { NextTermSettings(parameters: $0.parameters) }
            return TermsContext(rule: profile?.rule ?? ProfileRule(), documents: profile?.documents ?? 0, next: tuned ?? .fallback)
        } catch {
            throw Self.textModelError(error)
        }
    }

    func terms(user: String, options: TermsOptions, context: TermsContext) throws(InterestMinerError) -> UserInterestTerms {
        switch try termsBasis(user: user, options: options, context: context) {
        case .answered(let answer):
            return answer
        case .basis(let basis):
            let next = NextTermSettings(items: options.nextItems ?? context.next.items, places: options.nextPlaces ?? context.next.places,
                                        strength: options.nextStrength ?? context.next.strength, leads: context.next.leads)
            return try finishTerms(basis, next: next, options: options, context: context)
        }
    }

    /// Everything of a user's terms that does not depend on the "what next" settings: their
    /// events, weights and interests, and the tally of their own terms (with their items'
    /// review terms). The settings' validation finishes one basis under each setting.
    func termsBasis(user: String, options: TermsOptions, context: TermsContext) throws(InterestMinerError) -> TermsBasisResult {
        var answer = UserInterestTerms(user: user, terms: [], interests: [], events: 0, note: nil)
        let history: [UserEventVector]?
        do { history = try store.userEventVectors(user) } catch { throw .store(error) }
        guard let history else {
            answer.note = "no evidence: user '\(user)' has no events in this database"
            return .answered(answer)
        }
        let hidden = context.hiddenItem[user]
        let events = history.filter { e in (options.since.map { e.timestamp >= $0 } ?? true) && (hidden == nil || e.item != hidden) }
        guard let newest = events.map(\.timestamp).max() else {
            answer.note = "no evidence: user '\(user)' has no events" + (options.since != nil ? " since the given date" : "")
            return .answered(answer)
        }
        // The user's language, from their own texts: items described in another language say
        // little a merchandiser reading this user's terms can use, and their vectors sit in
        // another region of the space (they would split interests by language, not topic).
        let ownCJK = Self.cjkShare(events.compactMap(\.text))
        func foreign(_ e: UserEventVector) -> Bool {
            guard e.text == nil, let own = ownCJK, let item = e.itemText, let share = Self.cjkShare([item]) else { return false }
            return (share > 0.5) != (own > 0.5)
        }
        // Each event's weight (kind × decay from the newest event) and profile vector.
        let rate = context.rule.decayRate
        var points: [InterestClustering.Point] = []
        var pointOf: [Int: Int] = [:]
        var weights = [Double](repeating: 0, count: events.count)
        var rawWeights: [Double] = []
        for (k, e) in events.enumerated() where !foreign(e) {
            let kind: ProfileRule.EventKind = e.kind == .review ? .review : (e.kind == .query ? .query : .interaction)
            let own = e.kind == .interaction ? nil : e.vector
            guard let (v, w) = context.rule.contribution(kind, own: own, item: e.itemVector ?? (e.kind == .interaction ? e.vector : nil),
                                                         rating: e.rating, action: e.action) else { continue }
            let decayed = w * exp(-rate * Double(newest - e.timestamp))
            weights[k] = decayed
            pointOf[k] = points.count
            points.append(.init(vector: v, weight: decayed))
            rawWeights.append(w)
        }
        // Interests are found on the kind weights alone (an interest the user had in spring is
        // still one of theirs); decay then decides how much each counts now (share, terms).
        let decayedTotal = points.reduce(0) { $0 + $1.weight }
        func nowShare(_ i: InterestClustering.Interest) -> Double {
            decayedTotal > 0 ? i.members.reduce(0) { $0 + points[$1].weight } / decayedTotal : 0
        }
        let interests = InterestClustering(options.clustering).cluster(
            points.enumerated().map { k, p in InterestClustering.Point(vector: p.vector, weight: rawWeights[k]) })
            .enumerated().sorted { a, b in
                let (x, y) = (nowShare(a.element), nowShare(b.element))
                return x != y ? x > y : a.offset < b.offset
            }.map(\.element)
        guard !interests.isEmpty else {
            answer.note = "no evidence: none of the user's events carries interest (complaints and unrated texts without known words count for nothing)"
            return .answered(answer)
        }
        var clusterOf = [Int](repeating: 0, count: points.count)
        for (j, interest) in interests.enumerated() { for m in interest.members { clusterOf[m] = j } }

        // Candidate terms per event: the user's own text; the item's text for interactions —
        // as stored with the text, or (texts stored without them) from the tokenizer.
        var extractor: (session: TokenizerSession, model: LoadedTermsModel)?
        func candidates(_ text: String, stored: String?) throws(InterestMinerError) -> [(String, TermKind)] {
            if let stored, !options.ignoreStoredCandidates { return TermExtractor.candidates(stored: stored) }
            if extractor == nil {
                let model = try requireTermsModel()
                extractor = (TokenizerSession(model.tokenizer), model)
            }
            guard let (session, model) = extractor else { return [] }
            return TermExtractor.candidates(session.pieces(text), tokenizer: model.tokenizer, splitter: model.splitter)
        }
        var tally: [String: TermTally] = [:]
        for (k, e) in events.enumerated() {
            guard let p = pointOf[k] else { continue }
            let text: String?, stored: String?
            var w = weights[k]
            if let t = e.text {
                (text, stored) = (t, e.terms)
            } else {
                (text, stored) = (e.itemText, e.itemTextTerms)
                w *= options.itemTextWeight
            }
            guard let text else { continue }
            for (term, kind) in try candidates(text, stored: stored) {
                var t = tally[term] ?? TermTally(perInterest: [Double](repeating: 0, count: interests.count))
                t.weight += w
                t.evidence += 1
                t.perInterest[clusterOf[p]] += w
                t.isPhrase = kind == .phrase
                if e.text != nil { t.support.append(k) }
                tally[term] = t
            }
        }
        // What the shop says about the items the user chose: terms of their reviews by others,
        // as a share of those reviews, at the item-text weight.
        let reviewShare = options.itemReviewWeight
        let vocab: [String: [(term: String, share: Double)]]
        do { vocab = try store.itemTerms(events.compactMap(\.item)) } catch { throw .store(error) }
        if reviewShare > 0 {
            for (k, e) in events.enumerated() {
                guard let p = pointOf[k], let item = e.item else { continue }
                for (term, share) in vocab[item] ?? [] {
                    var t = tally[term] ?? TermTally(perInterest: [Double](repeating: 0, count: interests.count))
                    let w = weights[k] * reviewShare * share
                    t.weight += w
                    t.perInterest[clusterOf[p]] += w
                    t.isPhrase = t.isPhrase || term.contains(" ")
                    tally[term] = t
                }
            }
        }
        let rows: [String: TermRow]
        do { rows = try store.terms(named: Set(tally.keys)) } catch { throw .store(error) }
        return .basis(TermsBasis(user: user, events: events, weights: weights, pointOf: pointOf, clusterOf: clusterOf, points: points.count,
                                 interests: interests, shares: interests.map { nowShare($0) }, rawWeights: rawWeights, tally: tally, ownCJK: ownCJK, vocab: vocab, rows: rows))
    }

    /// A basis's terms under one "what next" setting.
    func finishTerms(_ basis: TermsBasis, next settings: NextTermSettings, options: TermsOptions, context: TermsContext) throws(InterestMinerError)
        -> UserInterestTerms {
        var answer = UserInterestTerms(user: basis.user, terms: [], interests: [], events: 0, note: nil)
        let (events, weights, pointOf, clusterOf, interests, tally, ownCJK) =
            (basis.events, basis.weights, basis.pointOf, basis.clusterOf, basis.interests, basis.tally, basis.ownCJK)
        let next = try pointedItems(events: events, weights: weights, cluster: { pointOf[$0].map { clusterOf[$0] } },
                                    count: settings.places > 0 ? settings.items : 0, minimum: settings.strength, neighbours: context.neighbours)
        var vocab = basis.vocab
        let unseen = next.map(\.item).filter { vocab[$0] == nil }
        if !unseen.isEmpty {
                do { for (item, terms) in try store.itemTerms(unseen) { vocab[item] = terms } } catch { throw .store(error) }
        }
        // What the user is likely to want next, in words they have not used yet: the terms of the
        // items their history points to that none of their events (nor their items' reviews)
        // carries. Each joins the interest whose items pointed to the best next item using it.
        var nextCluster: [String: Int] = [:]
        for n in next.reversed() {
            for (term, _) in vocab[n.item] ?? [] where tally[term] == nil {
                // Words in another language than the user's own texts say nothing to them.
                if let own = ownCJK, let share = Self.cjkShare([term]), (share > 0.5) != (own > 0.5) { continue }
                nextCluster[term] = n.cluster
            }
        }
        var rows = basis.rows
        let unknown = Set(nextCluster.keys).subtracting(rows.keys)
        if !unknown.isEmpty {
                do { for (term, row) in try store.terms(named: unknown) { rows[term] = row } } catch { throw .store(error) }
        }
        let documents = max(context.documents, rows.values.map(\.documentFrequency).max() ?? 0)
        let pointing = Self.nextScores(next: next.map(\.item), itemTerms: vocab, rows: rows, documents: documents)
        // Words that say nothing about a product are not interests (`TermSpecificity`).
        var candidates = tally.compactMap { term, t -> TermScoring.Candidate? in
            guard let row = rows[term], !TermSpecificity.isGeneric(row.specificity) else { return nil }
            return TermScoring.Candidate(term: term, isPhrase: t.isPhrase, vector: row.vector, documentFrequency: row.documentFrequency,
                                         weight: t.weight, evidence: t.evidence, perInterest: t.perInterest)
        }
        for (term, cluster) in nextCluster {
            guard let row = rows[term], !TermSpecificity.isGeneric(row.specificity), let score = pointing.score[term], score > 0 else { continue }
            var perInterest = [Double](repeating: 0, count: interests.count)
            perInterest[cluster] = score
            candidates.append(TermScoring.Candidate(term: term, isPhrase: term.contains(" "), vector: row.vector, documentFrequency: row.documentFrequency,
                                                    weight: 0, evidence: 0, perInterest: perInterest, next: score))
        }
        let total = weights.reduce(0, +)
        var shownNext = 0
        var scoring = options.scoring
        scoring.nextLeads = settings.leads
        let scored = TermScoring(scoring).score(candidates, interests: interests.map(\.centroid), userWeight: total, documents: documents)
            .filter { s in
                guard s.next > 0 else { return true }
                shownNext += 1
                return shownNext <= settings.places
            }
        answer.events = basis.points
        let shown = TermScoring.diversified(scored, top: max(0, options.top), shares: basis.shares)
        answer.terms = shown.map { s in
            let support = options.explain
                ? tally[s.term]?.support.reversed().prefix(3).compactMap { events[$0].text }
                : nil
            return InterestTerm(term: s.term, score: s.score, evidence: s.evidence, cluster: s.interest, support: support.map { Array($0) },
                                next: options.explain && s.next > 0 ? Array((pointing.items[s.term] ?? []).prefix(3)) : nil)
        }
        answer.interests = interests.enumerated().map { j, interest in
            InterestSummary(cluster: j, share: basis.shares[j],
                            events: interest.members.count,
                            terms: scored.filter { $0.interest == j && $0.next == 0 }.prefix(5).map(\.term))
        }
        if answer.terms.isEmpty {
            answer.note = "no evidence: the user's events contain no term the shop uses often enough to be in the vocabulary"
        }
        return answer
    }

    /// The share of CJK characters among the letters of `texts`, or nil when they have none.
    static func cjkShare(_ texts: [String]) -> Double? {
        var cjk = 0, letters = 0
        for t in texts {
            for u in t.unicodeScalars where u.properties.isAlphabetic {
                letters += 1
                if (0x3400...0x9FFF).contains(u.value) || (0xF900...0xFAFF).contains(u.value) || (0x20000...0x2FA1F).contains(u.value) { cjk += 1 }
            }
        }
        return letters > 0 ? Double(cjk) / Double(letters) : nil
    }
}
