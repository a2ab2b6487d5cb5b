import Foundation
import InterestCore
import Synchronization

/// One item's positive events per day (UTC days since 1970, `UnixDay`), as running totals:
/// what "in demand lately" counts, in O(active days) rather than O(events).
public struct DailyCounts: Sendable, Equatable {
    /// Days with events, ascending.
    public let days: [Int32]
    /// Events on or before each of `days`.
    public let cumulative: [Int32]

    public init(_ perDay: [(day: Int64, count: Int)]) {
        var days: [Int32] = []
        var cumulative: [Int32] = []
        var total: Int32 = 0
        for (day, n) in perDay.sorted(by: { $0.day < $1.day }) where n > 0 {
            let d = Int32(clamping: day)
            total = total.addingReportingOverflow(Int32(clamping: n)).overflow ? Int32.max : total + Int32(clamping: n)
            if days.last == d {
                cumulative[cumulative.count - 1] = total
            } else {
                days.append(d)
                cumulative.append(total)
            }
        }
        self.days = days
        self.cumulative = cumulative
    }

    /// From days already ascending and distinct (as `item_day` is read), with their counts;
    /// anything else goes through the sorting initialiser.
    public init(ascendingDays days: [Int64], counts: [Int]) {
        guard days.count == counts.count, zip(days, days.dropFirst()).allSatisfy({ $0 < $1 }), counts.allSatisfy({ $0 > 0 }),
              (days.first ?? 0) > Int64(Int32.min), (days.last ?? 0) < Int64(Int32.max) else {
            self.init(zip(days, counts).map { ($0, $1) })
            return
        }
        var cumulative = [Int32](repeating: 0, count: counts.count)
        var total: Int32 = 0
        for (k, n) in counts.enumerated() {
            let (sum, overflow) = total.addingReportingOverflow(Int32(clamping: n))
            total = overflow ? Int32.max : sum
            cumulative[k] = total
        }
        self.init(days: days.map { Int32(clamping: $0) }, cumulative: cumulative)
    }

    private init(days: [Int32], cumulative: [Int32]) {
        self.days = days
        self.cumulative = cumulative
    }

    /// From event times (seconds since 1970).
    public init(times: [Int64]) {
        var perDay: [Int64: Int] = [:]
        for t in times { perDay[UnixDay.of(t), default: 0] += 1 }
        self.init(perDay.map { ($0.key, $0.value) })
    }

    public static let empty = DailyCounts([])

    /// Events on days in [first, last].
    public func count(from first: Int64, through last: Int64) -> Int {
        Int(total(through: last) - total(through: first - 1))
    }

    private func total(through day: Int64) -> Int32 {
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int64(days[mid]) <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? 0 : cumulative[lo - 1]
    }
}

/// What the ranker knows about the catalogue, rows aligned: item vectors (unit or zero), CF item
/// factors (zero rows for items without) and their unit directions, standardised popularity, and
/// each item's positive events per day for popularity at a user's time.
public struct RankingCatalogue: Sendable {
    public let count: Int
    public let textDimension: Int
    public let itemVectors: [Float]
    public let cfFactors: Int
    public let cfItems: [Float]
    public let cfDirections: [Float]
    public let popularity: [Float]
    public let activity: [DailyCounts]
    /// The sequence model's item table E (count × sequenceDimension; zero rows for items it
    /// cannot place), 0 wide without a sequence model.
    public let sequenceDimension: Int
    public let sequenceItems: [Float]
    /// Days "lately" covers: the user's day and the 29 before it.
    public static let recentDays: Int64 = 30

    public init(count: Int, textDimension: Int, itemVectors: [Float], cfFactors: Int, cfItems: [Float], popularity: [Float], activity: [DailyCounts],
                sequenceDimension: Int = 0, sequenceItems: [Float] = []) {
        self.count = count
        let sequenceFits = sequenceDimension > 0 && sequenceItems.count == count * sequenceDimension
        self.sequenceDimension = sequenceFits ? sequenceDimension : 0
        self.sequenceItems = sequenceFits ? sequenceItems : []
        self.textDimension = textDimension
        self.itemVectors = itemVectors.count == count * textDimension ? itemVectors : [Float](repeating: 0, count: count * textDimension)
        self.cfFactors = cfFactors
        let cf = cfItems.count == count * cfFactors ? cfItems : [Float](repeating: 0, count: count * cfFactors)
        self.cfItems = cf
        var directions = cf
        if cfFactors > 0 {
            directions.withUnsafeMutableBufferPointer { p in
                guard let b = p.baseAddress else { return }
                for i in 0..<count { _ = VectorMath.normalize(b + i * cfFactors, cfFactors) }
            }
        }
        cfDirections = directions
        self.popularity = popularity.count == count ? popularity : [Float](repeating: 0, count: count)
        self.activity = activity.count == count ? activity : [DailyCounts](repeating: .empty, count: count)
        dayMajor = DayMajorActivity(self.activity)
    }

    /// The catalogue with each item's positive-event times (seconds) instead of daily counts.
    public init(count: Int, textDimension: Int, itemVectors: [Float], cfFactors: Int, cfItems: [Float], popularity: [Float], eventTimes: [[Int64]]) {
        self.init(count: count, textDimension: textDimension, itemVectors: itemVectors, cfFactors: cfFactors, cfItems: cfItems,
                  popularity: popularity, activity: eventTimes.map { DailyCounts(times: $0) })
    }

    /// log(1 + n) standardised over the catalogue.
    public static func standardisedLogCounts(_ counts: [Int]) -> [Float] {
        var v = counts.map { Float(log1p(Double($0))) }
        standardise(&v)
        return v
    }

    /// Standardised log counts of each item's positive events in the 30 days up to and
    /// including the day (UTC) of `time`. Days are memoised: users active on the same day share
    /// one vector.
    public func recentPopularity(at time: Int64?) -> [Float] {
        guard let time else { return [Float](repeating: 0, count: count) }
        let day = UnixDay.of(time)
        if let hit = recentByDay.value(day) { return hit }
        let first = day - Self.recentDays + 1
        let v = Self.standardisedLogCounts(dayMajor?.counts(from: first, through: day, items: count)
                                           ?? activity.map { $0.count(from: first, through: day) })
        recentByDay.store(day, v)
        return v
    }

    /// Gives the catalogue every item's positive events in the `recentDays` window ending on
    /// `day` (catalogue rows), for a catalogue built without daily activity: a one-shot process
    /// reads only the window its one user needs. `recentPopularity(at:)` answers that day from
    /// these counts; a day never given (and not in `activity`) has no recent popularity (zeros).
    public func rememberRecentCounts(day: Int64, counts: [Int]) {
        guard counts.count == count else { return }
        recentByDay.store(day, Self.standardisedLogCounts(counts))
    }

    /// Whether `recentPopularity(at:)` already knows the day of `time`.
    public func knowsRecentPopularity(at time: Int64) -> Bool {
        recentByDay.value(UnixDay.of(time)) != nil
    }

    private let recentByDay = DayMemo<[Float]>()
    /// The same counts by day, so a new day's window costs its entries, not a search per item.
    private let dayMajor: DayMajorActivity?
}

/// Per-day recent-popularity vectors, shared by every copy of a catalogue (bounded).
final class DayMemo<Value: Sendable>: Sendable {
    private let table = Mutex<[Int64: Value]>([:])
    static var limit: Int { 512 }

    func value(_ day: Int64) -> Value? { table.withLock { $0[day] } }

    func store(_ day: Int64, _ v: Value) {
        table.withLock { t in
            if t.count >= Self.limit { t.removeAll(keepingCapacity: true) }
            t[day] = v
        }
    }
}

/// What the ranker knows about one user.
public struct UserSignals: Sendable {
    public var cf: [Float]?
    /// The unit direction of the decayed profile.
    public var profile: [Float]?
    /// Catalogue rows of the user's latest liked items, newest first.
    public var recent: [Int]
    /// Positive events (cold users have few).
    public var positives: Int
    /// The user's latest event (seconds since 1970).
    public var time: Int64?
    /// The sequence model's reading of the user's history (y at the last position).
    public var sequence: [Float]?
    /// Catalogue rows of the user's positive events, oldest first (the sequence model's input;
    /// kept for its explanations).
    public var history: [Int]

    public init(cf: [Float]?, profile: [Float]?, recent: [Int], positives: Int, time: Int64? = nil, sequence: [Float]? = nil, history: [Int] = []) {
        self.sequence = sequence
        self.history = history
        self.cf = cf
        self.profile = profile
        self.recent = recent
        self.positives = positives
        self.time = time
    }
}

/// Computes the fusion features and scores. Two stages, as the features differ in cost: the
/// per-user standardised CF and text scores and the popularities for every item (matrix-vector
/// products and binary searches), then the two target-attention features over the user's recent
/// items for the `shortlist` best items of the first stage; items below the shortlist keep their
/// first-stage order beneath it.
public struct FusionScorer: Sendable {
    public let catalogue: RankingCatalogue
    public let model: FusionModel
    public var shortlist = 100
    /// Softmax temperature of the attention over recent items.
    public static let attentionTemperature: Float = 0.1
    public static let recentLimit = 20

    public init(catalogue: RankingCatalogue, model: FusionModel) {
        self.catalogue = catalogue
        self.model = model
    }

    /// The first-stage features over every item.
    public struct Base: Sendable {
        public var cf: [Float]
        public var text: [Float]
        public var recentPopularity: [Float]
        public var sequence: [Float]
    }

    /// The first-stage features over every item; `threads` > 1 splits the matrix–vector
    /// products by rows (for one user's latency over a large catalogue).
    public func baseScores(_ user: UserSignals, threads: Int = 1) -> Base {
        let n = catalogue.count
        var cf = [Float](repeating: 0, count: n)
        var text = [Float](repeating: 0, count: n)
        let cfQuery = user.cf.flatMap { $0.count == catalogue.cfFactors && catalogue.cfFactors > 0 ? $0 : nil }
        let textQuery = user.profile.flatMap { $0.count == catalogue.textDimension && catalogue.textDimension > 0 ? $0 : nil }
        let sequenceQuery = model.features.contains(.sequence) ? sequenceQuery(user) : nil
        var sequence = [Float](repeating: 0, count: sequenceQuery == nil ? 0 : n)
        let parts = max(1, min(threads, n / 4096))
        cf.withUnsafeMutableBufferPointer { cfOut in
            text.withUnsafeMutableBufferPointer { textOut in
                sequence.withUnsafeMutableBufferPointer { sequenceOut in
                    let cfPointer = SendablePointer(cfOut.baseAddress), textPointer = SendablePointer(textOut.baseAddress)
                    let sequencePointer = SendablePointer(sequenceOut.baseAddress)
                    parallelPerform(iterations: parts) { part in
                        let lo = n * part / parts, hi = n * (part + 1) / parts
                        if let q = cfQuery, let out = cfPointer.pointer {
                            VectorMath.gemv(catalogue.cfItems, dimension: catalogue.cfFactors, q, rows: lo, hi, into: out)
                        }
                        if let q = textQuery, let out = textPointer.pointer {
                            VectorMath.gemv(catalogue.itemVectors, dimension: catalogue.textDimension, q, rows: lo, hi, into: out)
                        }
                        if let q = sequenceQuery, let out = sequencePointer.pointer {
                            VectorMath.gemv(catalogue.sequenceItems, dimension: catalogue.sequenceDimension, q, rows: lo, hi, into: out)
                        }
                    }
                }
            }
        }
        if cfQuery != nil { standardise(&cf) }
        if textQuery != nil { standardise(&text) }
        if sequenceQuery != nil { standardise(&sequence) } else { sequence = [Float](repeating: 0, count: n) }
        let recent = model.features.contains(.recentPopularity) ? catalogue.recentPopularity(at: user.time) : [Float](repeating: 0, count: n)
        return Base(cf: cf, text: text, recentPopularity: recent, sequence: sequence)
    }

    /// The user's sequence vector when it fits the catalogue's sequence table.
    func sequenceQuery(_ user: UserSignals) -> [Float]? {
        user.sequence.flatMap { $0.count == catalogue.sequenceDimension && catalogue.sequenceDimension > 0 ? $0 : nil }
    }

    /// −ln(1 − a) of the softmax-weighted mean cosine a of item `i` with the user's recent items
    /// in `vectors` (rows of `dim`): near-duplicates of what the user just chose (0.99 → 4.6)
    /// stand far apart from merely related items (0.9 → 2.3), which a linear weight on `a`
    /// could not express.
    public func attention(_ i: Int, recent: [Int], vectors: [Float], dim: Int) -> Float {
        guard dim > 0, !recent.isEmpty else { return 0 }
        // On the stack: this runs for every shortlisted item of every request.
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: recent.count) { cosines -> Float in
            var count = 0
            vectors.withUnsafeBufferPointer { v in
                guard let b = v.baseAddress else { return }
                for j in recent where j != i && j >= 0 && j < catalogue.count {
                    cosines[count] = VectorMath.dot(b + i * dim, b + j * dim, dim)
                    count += 1
                }
            }
            guard count > 0 else { return 0 }
            var top = cosines[0]
            for c in cosines[1..<count] where c > top { top = c }
            var num: Float = 0, den: Float = 0
            for c in cosines[0..<count] {
                let w = expf((c - top) / Self.attentionTemperature)
                num += w * c
                den += w
            }
            guard den > 0 else { return 0 }
            return -logf(max(1e-3, 1 - num / den))
        }
    }

    public func textAttention(_ i: Int, _ user: UserSignals) -> Float {
        attention(i, recent: user.recent, vectors: catalogue.itemVectors, dim: catalogue.textDimension)
    }

    public func cfAttention(_ i: Int, _ user: UserSignals) -> Float {
        attention(i, recent: user.recent, vectors: catalogue.cfDirections, dim: catalogue.cfFactors)
    }

    /// The feature vector of item `i` (in `model.features` order) given the base scores.
    public func features(_ i: Int, user: UserSignals, base: Base) -> [Double] {
        model.features.map { f in
            switch f {
            case .collaborative: Double(base.cf[i])
            case .text: Double(base.text[i])
            case .attention: Double(textAttention(i, user))
            case .collaborativeAttention: Double(cfAttention(i, user))
            case .popularity: Double(catalogue.popularity[i])
            case .recentPopularity: Double(base.recentPopularity[i])
            case .sequence: Double(base.sequence[i])
            }
        }
    }

    /// Fused scores of every item for the user (higher is better); `excluded` rows (seen items)
    /// get −∞. Items past the shortlist get their first-stage score shifted below every
    /// shortlisted one.
    public func scores<S: Sequence<Int>>(_ user: UserSignals, excluding excluded: S, threads: Int = 1) -> [Float] {
        scoresAndBase(user, excluding: excluded, threads: threads).scores
    }

    /// `scores` with the first-stage features it was computed from.
    public func scoresAndBase<S: Sequence<Int>>(_ user: UserSignals, excluding excluded: S, threads: Int = 1) -> (scores: [Float], base: Base) {
        let first = firstStage(user, excluding: excluded, threads: threads)
        return (finalScores(first, user), first.base)
    }

    /// The second stage over a first stage: shortlisted items get their attention; everything
    /// below the shortlist sits under the lowest score a shortlisted item can reach (attention
    /// lies in [0, −ln 0.001 ≈ 6.9]).
    private func finalScores(_ first: FirstStage, _ user: UserSignals) -> [Float] {
        guard let chosen = first.shortlist else { return first.scores }
        let margin = 7 * (abs(first.textAttention) + abs(first.cfAttention)) + 1
        var out = first.scores
        for i in out.indices { out[i] -= margin }
        for (id, s) in chosen where s > -.infinity {
            let i = Int(id)
            out[i] = s + first.textAttention * textAttention(i, user) + first.cfAttention * cfAttention(i, user)
        }
        return out
    }

    /// The first stage: base features, their weighted sum per item (excluded rows −∞), and —
    /// when attention has weight and the user has recent items — the shortlist (best first)
    /// with the two attention weights.
    struct FirstStage {
        var base: Base
        var scores: [Float]
        var shortlist: [(id: Int32, score: Float)]?
        var textAttention: Float
        var cfAttention: Float
    }

    func firstStage<S: Sequence<Int>>(_ user: UserSignals, excluding excluded: S, threads: Int) -> FirstStage {
        let base = baseScores(user, threads: threads)
        let w = StageWeights(model, positives: user.positives)
        let (wcf, wtext, wpop, wrecent, wsequence) = (w.cf, w.text, w.popularity, w.recentPopularity, w.sequence)
        let (textAttentionWeight, cfAttentionWeight) = (w.textAttention, w.cfAttention)
        let n = catalogue.count
        var stage1 = [Float](repeating: 0, count: n)
        for i in 0..<n {
            stage1[i] = wcf * base.cf[i] + wtext * base.text[i] + wpop * catalogue.popularity[i] + wrecent * base.recentPopularity[i]
                + wsequence * base.sequence[i]
        }
        for i in excluded where i >= 0 && i < n { stage1[i] = -.infinity }
        var first = FirstStage(base: base, scores: stage1, shortlist: nil, textAttention: textAttentionWeight, cfAttention: cfAttentionWeight)
        guard textAttentionWeight != 0 || cfAttentionWeight != 0, !user.recent.isEmpty else { return first }
        var top = TopK(min(shortlist, n))
        for i in 0..<n where stage1[i] > top.threshold { top.offer(Int32(i), stage1[i]) }
        let chosen = top.sorted()
        if chosen.contains(where: { $0.score > -.infinity }) { first.shortlist = chosen }
        return first
    }

    /// The best `k` items (seen items excluded) — the same items, order and scores as `scores`
    /// followed by a top-k — computed without the full final score array when the shortlist
    /// holds at least `k` items: every shortlisted item outranks every other.
    public func top(_ k: Int, for user: UserSignals, excluding excluded: some Sequence<Int>) -> [(id: Int32, score: Float)] {
        let first = firstStage(user, excluding: excluded, threads: 1)
        if let chosen = first.shortlist, chosen.count(where: { $0.score > -.infinity }) >= k {
            var best = TopK(k)
            for (id, s) in chosen where s > -.infinity {
                let i = Int(id)
                best.offer(id, s + first.textAttention * textAttention(i, user) + first.cfAttention * cfAttention(i, user))
            }
            return best.sorted()
        }
        return TopK.best(k, of: finalScores(first, user))
    }
}

/// The weights of one user's segment by feature, as the two stages use them.
struct StageWeights {
    var cf: Float = 0, text: Float = 0, popularity: Float = 0, recentPopularity: Float = 0, sequence: Float = 0
    var textAttention: Float = 0, cfAttention: Float = 0

    init(_ model: FusionModel, positives: Int) {
        let w = model.weights(positives: positives)
        for (k, f) in model.features.enumerated() {
            let wk = Float(w[k])
            switch f {
            case .collaborative: cf = wk
            case .text: text = wk
            case .popularity: popularity = wk
            case .recentPopularity: recentPopularity = wk
            case .attention: textAttention = wk
            case .collaborativeAttention: cfAttention = wk
            case .sequence: sequence = wk
            }
        }
    }
}
