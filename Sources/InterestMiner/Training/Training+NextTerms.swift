import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore
import TextEmbedding

extension ModelKind {
    /// The "what next" term settings `interests train` chose for the database (parameters only).
    static let nextTerms = "next-terms"
}

/// How `terms` finds what a user is likely to want next (README "Interest terms"): the `items`
/// items their history points to (stored item neighbours of their items, by their events'
/// weights) lend their review terms that none of the user's events carries; at most `places` of
/// those are shown (0: none); `strength` is how firmly the history must point to an item (the
/// weighted mean cosine, over the user's item events, between the user's items and it).
/// `leads`: the next terms come first (their score adds to the own terms' scale) rather than
/// compete with the user's own words (`TermScoring`).
public struct NextTermSettings: Sendable, Codable, Equatable {
    public var items: Int
    public var places: Int
    public var strength: Double
    public var leads: Bool

    public init(items: Int, places: Int, strength: Double, leads: Bool = true) {
        self.items = items
        self.places = places
        self.strength = strength
        self.leads = leads
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        items = try c.decode(Int.self, forKey: .items)
        places = try c.decode(Int.self, forKey: .places)
        strength = try c.decode(Double.self, forKey: .strength)
        leads = try c.decodeIfPresent(Bool.self, forKey: .leads) ?? true
    }

    /// The values tuned on amazon-all-beauty, used when a database has chosen none.
    public static let fallback = NextTermSettings(items: 2, places: 3, strength: 0.3)

    init?(parameters: String) {
        guard let s = try? JSONDecoder().decode(NextTermSettings.self, from: Data(parameters.utf8)),
              s.items >= 0, s.places >= 0, s.strength.isFinite else { return nil }
        self = s
    }
}

extension TrainingReport {
    /// The per-database choice of the "what next" term settings.
    public struct NextTermsPart: Sendable, Codable {
        public struct Trial: Sendable, Codable {
            public var settings: NextTermSettings
            public var ndcg: Double
        }
        public var validationUsers: Int
        public var trials: [Trial]
        public var chosen: NextTermSettings
        public var seconds: Double
    }
}

extension TrainingPipeline {
    /// Validation users the "what next" settings are chosen on at most (a seeded sample).
    static let nextTermsValidationUsers = 300
    /// A setting replaces the fallback only when its NDCG@10 is higher by more than this share:
    /// a few hundred users' figures move by about that from sample to sample.
    static let nextTermsMargin = 0.01

    /// The candidate settings: the fallback first, none at all, the fallback's neighbours, and
    /// next terms that compete with the user's own words.
    static var nextTermsGrid: [NextTermSettings] {
        var grid = [NextTermSettings.fallback, NextTermSettings(items: 2, places: 0, strength: 0.3)]
        for items in [1, 2, 4] {
            for strength in [0.15, 0.3, 0.5] where !(items == 2 && strength == 0.3) {
                grid.append(NextTermSettings(items: items, places: 3, strength: strength))
            }
        }
        grid += [NextTermSettings(items: 2, places: 1, strength: 0.3), NextTermSettings(items: 2, places: 5, strength: 0.3)]
        // Next terms that compete with the user's own words instead of leading.
        grid += [NextTermSettings(items: 2, places: 3, strength: 0.3, leads: false), NextTermSettings(items: 1, places: 3, strength: 0.15, leads: false),
                 NextTermSettings(items: 4, places: 5, strength: 0.15, leads: false)]
        return grid
    }

    /// Chooses the database's "what next" term settings as `--alpha auto` chooses alpha: on the
    /// leave-last-out validation split of the training data, each sampled user's terms are
    /// computed without their held-out item (item neighbours recomputed without the held-out
    /// events), their top 10 are a BM25 query (Robertson & Zaragoza 2009; k1 1.2, b 0.75, as
    /// `../shared/peers/terms_eval.py`) over every item's words — its review terms and its own
    /// text's — and the held-out item's rank among the items the user has not touched gives
    /// NDCG@10. Runs on the activated generation (`saveNextTerms` stores the choice). nil with
    /// fewer than 20 validation users. The items' review terms still include the held-out reviews, which favours the
    /// user's own words over "next" terms: the choice errs towards fewer next terms.
    func tuneNextTerms(snapshot: TrainingSnapshot, neighbourSettings: ItemNeighbours.Settings, threads: Int,
                       progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> TrainingReport.NextTermsPart? {
        let clock = ContinuousClock()
        let start = clock.now
        let data = snapshot.data
        var users = snapshot.validation.keys.sorted()
        guard users.count >= 20 else { return nil }
        var rng = SeededRandom(seed: 0x4E45_5854)
        if users.count > Self.nextTermsValidationUsers {
            rng.shuffle(&users)
            users = Array(users.prefix(Self.nextTermsValidationUsers)).sorted()
        }
        let held = users.reduce(into: [Int32: Int32]()) { $0[$1] = snapshot.validation[$1] }
        let itemNames: [Int64: String], userNames: [Int64: String]
        let documents: (reviewTerms: [String: [(term: String, reviews: Double)]], textTerms: [String: String])
        do {
            itemNames = Dictionary(uniqueKeysWithValues: try store.itemCatalogue().map { ($0.id, $0.external) })
            userNames = try store.userNames(users.map { data.userIDs[Int($0)] })
            documents = try store.termDocuments()
        } catch {
            throw .store(error)
        }
        let items = data.itemIDs.map { itemNames[$0] ?? "" }
        // The validation world's neighbours: the held-out events left out.
        let kernel: ItemNeighbours
        do { kernel = try ItemNeighbours(neighbourSettings) } catch { throw .invalidArgument(name: "item neighbours", reason: error.description) }
        let matrix = SparseMatrix(rows: data.userIDs.count, columns: items.count) { emit in
            data.events.forEachEvent { u, i, _, _, _ in if held[u] != i { emit(u, i, 1) } }
        }
        var neighbours: [String: [(item: String, score: Double)]] = [:]
        for (i, list) in kernel.neighbours(matrix, threads: threads).enumerated() where !list.isEmpty {
            neighbours[items[i]] = list.map { (items[Int($0.item)], Double($0.score)) }
        }
        // Each sampled user's touched items (the held-out one is the target, not excluded).
        var touched: [Int32: Set<Int32>] = [:]
        data.events.forEachEvent { u, i, _, _, _ in if held[u] != nil { touched[u, default: []].insert(i) } }
        let seen = touched
        let index = TermRetrieval(items: items, reviewTerms: documents.reviewTerms, textTerms: documents.textTerms)

        var context = try serving.termsContext()
        context.neighbours = neighbours
        context.hiddenItem = Dictionary(uniqueKeysWithValues: users.compactMap { u in
            userNames[data.userIDs[Int(u)]].map { ($0, items[Int(held[u] ?? 0)]) }
        })
        let fixed = context, sample = users
        // Each user's terms up to the settings once; each setting finishes them.
        let options = TermsOptions(top: 10)
        let bases = parallelMap(sample, threads: threads, makeState: { () }) { [serving] _, u -> TermsBasis? in
            guard let name = userNames[data.userIDs[Int(u)]], case .basis(let b)? = try? serving.termsBasis(user: name, options: options, context: fixed) else {
                return nil
            }
            return b
        }
        var trials: [TrainingReport.NextTermsPart.Trial] = []
        for settings in Self.nextTermsGrid {
            let gains = parallelMap(Array(sample.indices), threads: threads, makeState: { () }) { [serving] _, k -> Double in
                let u = sample[k]
                guard let basis = bases[k], let target = held[u],
                      let answer = try? serving.finishTerms(basis, next: settings, options: options, context: fixed) else { return 0 }
                var excluded = seen[u] ?? []
                excluded.remove(target)
                return index.gain(query: answer.terms.map(\.term), target: Int(target), excluded: excluded)
            }
            trials.append(.init(settings: settings, ndcg: gains.reduce(0, +) / Double(users.count)))
            progress(String(format: "next terms: %d items, strength %.2f, %d places, %@: NDCG@10 %.4f on %d users",
                            settings.items, settings.strength, settings.places, settings.leads ? "leading" : "competing",
                            trials.last?.ndcg ?? 0, users.count))
        }
        let fallback = trials.first?.ndcg ?? 0
        var chosen = NextTermSettings.fallback
        if let best = trials.max(by: { $0.ndcg < $1.ndcg }), best.ndcg > fallback * (1 + Self.nextTermsMargin) { chosen = best.settings }
        return .init(validationUsers: users.count, trials: trials, chosen: chosen, seconds: (clock.now - start).seconds)
    }
}

extension TrainingPipeline {
    /// Stores the generation's "what next" settings (the fallback when none were chosen), so a
    /// generation never shows the choice of an older one.
    func saveNextTerms(_ settings: NextTermSettings, build: GenerationBuild) throws(InterestMinerError) {
        do {
            let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
            try store.saveModel(kind: ModelKind.nextTerms, parameters: json, payload: [], generation: build.id)
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            throw .invalidArgument(name: "next terms", reason: "\(error)")
        }
    }
}

/// BM25 retrieval of items by interest terms, for choosing the "what next" settings: each item's
/// document is its review terms (tf: how many of its reviews use the term) and its own text's
/// candidate terms (tf 1 each). Postings per term, so a query costs the items its terms reach.
struct TermRetrieval: Sendable {
    private var postings: [String: [(item: Int32, tf: Double)]] = [:]
    private var length: [Double]
    private let averageLength: Double
    private let itemCount: Int
    private let order: [Int32]  // rank of each item's external id (the peers' tie order)

    init(items: [String], reviewTerms: [String: [(term: String, reviews: Double)]], textTerms: [String: String]) {
        itemCount = items.count
        length = [Double](repeating: 0, count: items.count)
        var tf: [String: [Int32: Double]] = [:]
        for (k, item) in items.enumerated() {
            for (term, n) in reviewTerms[item] ?? [] where n > 0 { tf[term, default: [:]][Int32(k), default: 0] += n; length[k] += n }
            for (term, _) in TermExtractor.candidates(stored: textTerms[item] ?? "") { tf[term, default: [:]][Int32(k), default: 0] += 1; length[k] += 1 }
        }
        for (term, byItem) in tf { postings[term] = byItem.map { ($0.key, $0.value) } }
        averageLength = max(1e-9, length.reduce(0, +) / Double(max(1, items.count)))
        var rank = [Int32](repeating: 0, count: items.count)
        for (r, k) in items.indices.sorted(by: { items[$0] < items[$1] }).enumerated() { rank[k] = Int32(r) }
        order = rank
    }

    /// 1/log2(rank + 1) of `target` when the query ranks it in the top 10 of the items not
    /// `excluded` (ties: the larger external id first, as the peers), else 0.
    func gain(query: [String], target: Int, excluded: Set<Int32>) -> Double {
        var score: [Int32: Double] = [:]
        let n = Double(itemCount)
        for term in Set(query) {
            guard let list = postings[term] else { continue }
            let df = Double(list.count)
            let idf = log(1 + (n - df + 0.5) / (df + 0.5))
            for (i, f) in list {
                score[i, default: 0] += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * length[Int(i)] / averageLength))
            }
        }
        guard let own = score[Int32(target)], own > 0 else { return 0 }
        var rank = 1
        for (i, s) in score where Int(i) != target && !excluded.contains(i) {
            if s > own || (s == own && order[Int(i)] > order[target]) { rank += 1 }
        }
        return rank <= 10 ? 1 / log2(Double(rank) + 1) : 0
    }
}
