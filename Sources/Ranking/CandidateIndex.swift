import InterestCore
import Synchronization

/// The first stage of a large catalogue without scanning it: candidates from five channels —
/// the best items by the user's CF vector, by their text profile and by their sequence-model
/// vector (each through an ``InvertedFileIndex``), the most popular items and the items most in demand on the user's
/// day — then the exact first-stage score of each candidate, standardised by the catalogue's row
/// moments as the full scan standardises it (``RowMoments``), the shortlist and the attention
/// stage as in ``FusionScorer/top(_:for:excluding:)``. Multi-channel retrieval followed by a
/// ranker, as in Covington, Adams & Sargin, "Deep Neural Networks for YouTube
/// Recommendations", RecSys 2016.
///
/// Approximate: an item outside every channel is never ranked. The benchmark measures the
/// overlap with the exact top-k (`interests-bench candidates`); tests check it on a seeded
/// catalogue. Per request: O(lists · d) + O(scanned rows · d) + O(candidates · (d + recent)),
/// where scanned rows ≈ min(catalogue/12, 4,000); nothing grows with users, and from about
/// 48,000 items on nothing but the centroid pass (O(√items · d)) grows with items.
public struct CandidateIndex: Sendable {
    let cf: InvertedFileIndex?
    let text: InvertedFileIndex?
    let sequence: InvertedFileIndex?
    let cfMoments: RowMoments?
    let textMoments: RowMoments?
    let sequenceMoments: RowMoments?
    /// Rows by static popularity, best first (`perChannel` of them).
    let popular: [Int32]
    private let recentTop = DayMemo<[Int32]>()
    /// Each item's look-alikes, found on first use (see ``textLookAlikes(of:in:)``).
    private let textAlike = LookAlikeMemo()
    private let cfAlike = LookAlikeMemo()
    /// Candidates taken from each channel.
    public let perChannel: Int
    /// Lists scanned per query in each inverted file.
    public let probe: Int
    /// The user's latest items whose look-alikes are candidates (for the attention features),
    /// and the lists scanned for each: an item's close look-alikes sit in its own list and the
    /// nearest few, so a quarter of `probe` finds them.
    public let recentQueries: Int
    public var recentProbe: Int { max(2, probe / 4) }

    /// Builds the channels of `catalogue` (O(items · √items · d), both cores). A query scans
    /// `probeShare` of each inverted file's lists, but never more lists than hold about
    /// `scanBudget` rows (and at least 8): from about 12 × 4,000 = 48,000 items on, a request
    /// scans the same number of rows whatever the catalogue's size. Measured on the 1M-user
    /// scale shop (100,000 items, `interests-bench candidates`, 1,000 users): 99.66% of the full
    /// scan's top 10 with a budget of 4,000 rows, as with 1/12 of the lists (8,300 rows).
    public init(catalogue c: RankingCatalogue, perChannel: Int = 300, probeShare: Double = 1.0 / 12, scanBudget: Int = 4_000,
                recentQueries: Int = 3, threads: Int = 2) {
        self.perChannel = max(1, perChannel)
        self.recentQueries = max(0, recentQueries)
        cf = c.cfFactors > 0 ? InvertedFileIndex(vectors: c.cfItems, rows: c.count, dimension: c.cfFactors, threads: threads) : nil
        text = c.textDimension > 0 ? InvertedFileIndex(vectors: c.itemVectors, rows: c.count, dimension: c.textDimension, threads: threads) : nil
        cfMoments = c.cfFactors > 0 ? RowMoments(vectors: c.cfItems, rows: c.count, dimension: c.cfFactors) : nil
        textMoments = c.textDimension > 0 ? RowMoments(vectors: c.itemVectors, rows: c.count, dimension: c.textDimension) : nil
        let sd = c.sequenceDimension
        sequence = sd > 0 ? InvertedFileIndex(vectors: c.sequenceItems, rows: c.count, dimension: sd, threads: threads) : nil
        sequenceMoments = sd > 0 ? RowMoments(vectors: c.sequenceItems, rows: c.count, dimension: sd) : nil
        popular = TopK.best(self.perChannel, of: c.popularity).map(\.id)
        let lists = max(cf?.lists ?? 0, text?.lists ?? 0, sequence?.lists ?? 0)
        let rowsPerList = Double(max(cf?.members.count ?? 0, text?.members.count ?? 0, sequence?.members.count ?? 0)) / Double(max(1, lists))
        let budgeted = rowsPerList > 0 ? Int((Double(max(0, scanBudget)) / rowsPerList).rounded(.up)) : lists
        probe = max(8, min(Int((Double(lists) * probeShare).rounded(.up)), budgeted))
    }

    /// The `perChannel` items whose text vectors are closest to row `item`'s, best first —
    /// searched in `recentProbe` lists the first time an item is asked for and kept: a user's
    /// latest items recur across requests, so the search runs about once per item instead of
    /// `recentQueries` times per request. Memory: at most items × `perChannel` × 4 bytes.
    func textLookAlikes(of item: Int, in c: RankingCatalogue) -> [Int32] {
        guard let ivf = text else { return [] }
        return textAlike.rows(of: item) {
            let v = Array(c.itemVectors[(item * c.textDimension)..<((item + 1) * c.textDimension)])
            return ivf.top(perChannel, query: v, probe: recentProbe).map(\.id)
        }
    }

    /// As ``textLookAlikes(of:in:)`` for the CF factors, by cosine.
    func cfLookAlikes(of item: Int, in c: RankingCatalogue) -> [Int32] {
        guard let ivf = cf else { return [] }
        return cfAlike.rows(of: item) {
            let v = Array(c.cfItems[(item * c.cfFactors)..<((item + 1) * c.cfFactors)])
            return ivf.top(perChannel, query: v, probe: recentProbe, cosine: true).map(\.id)
        }
    }

    /// The rows most in demand on the day of `time` (memoised per day).
    func recent(_ catalogue: RankingCatalogue, at time: Int64?) -> [Int32] {
        guard let time else { return [] }
        let day = UnixDay.of(time)
        if let hit = recentTop.value(day) { return hit }
        let rows = TopK.best(perChannel, of: catalogue.recentPopularity(at: time)).map(\.id)
        recentTop.store(day, rows)
        return rows
    }
}

extension FusionScorer {
    /// `top(k, for:excluding:)` over the candidates of `index` instead of every item: the same
    /// scores for every item it ranks (up to the rounding of the moments' standardisation).
    public func top(_ k: Int, for user: UserSignals, excluding excluded: some Sequence<Int>, candidates index: CandidateIndex) -> [(id: Int32, score: Float)] {
        let n = catalogue.count
        let w = StageWeights(model, positives: user.positives)
        let cfQuery = user.cf.flatMap { $0.count == catalogue.cfFactors && catalogue.cfFactors > 0 ? $0 : nil }
        let textQuery = user.profile.flatMap { $0.count == catalogue.textDimension && catalogue.textDimension > 0 ? $0 : nil }
        // Every channel's rows, each once, none the user has seen (a bit per catalogue row:
        // n/8 bytes cleared per request instead of hashing every candidate).
        var marks = RowMarks(count: n)
        let seen = Array(excluded)
        for i in seen where i >= 0 && i < n { _ = marks.insert(i) }
        var rows: [Int32] = []
        rows.reserveCapacity(4 * index.perChannel + 2 * index.recentQueries * index.perChannel)
        func add(_ candidates: some Sequence<Int32>) {
            for r in candidates where r >= 0 && Int(r) < n && marks.insert(Int(r)) { rows.append(r) }
        }
        if let q = cfQuery, let ivf = index.cf { add(ivf.top(index.perChannel, query: q, probe: index.probe, ordered: false).lazy.map(\.id)) }
        if let q = textQuery, let ivf = index.text { add(ivf.top(index.perChannel, query: q, probe: index.probe, ordered: false).lazy.map(\.id)) }
        let sequenceQuery = w.sequence != 0 ? sequenceQuery(user) : nil
        if let q = sequenceQuery, let ivf = index.sequence { add(ivf.top(index.perChannel, query: q, probe: index.probe, ordered: false).lazy.map(\.id)) }
        // Items like the latest ones, for the attention features (a share of the channel each).
        let latest = user.recent.prefix(index.recentQueries).filter { $0 >= 0 && $0 < n }
        if !latest.isEmpty {
            let each = max(10, index.perChannel / latest.count)
            for i in latest {
                add(index.textLookAlikes(of: i, in: catalogue).prefix(each))
                add(index.cfLookAlikes(of: i, in: catalogue).prefix(each))
            }
        }
        add(index.popular)
        add(index.recent(catalogue, at: user.time))
        let cfNorm = cfQuery.flatMap { q in index.cfMoments.map { $0.standardisation(q) } }
        let textNorm = textQuery.flatMap { q in index.textMoments.map { $0.standardisation(q) } }
        let recentPopularity = w.recentPopularity != 0 ? catalogue.recentPopularity(at: user.time) : []
        let attends = (w.textAttention != 0 || w.cfAttention != 0) && !user.recent.isEmpty
        let cfDots = cfQuery.map { VectorMath.dotRows(catalogue.cfItems, rows, $0) }
        let textDots = textQuery.map { VectorMath.dotRows(catalogue.itemVectors, rows, $0) }
        let sequenceNorm = sequenceQuery.flatMap { q in index.sequenceMoments.map { $0.standardisation(q) } }
        let sequenceDots = sequenceQuery.map { VectorMath.dotRows(catalogue.sequenceItems, rows, $0) }
        // Each feature gathered for every candidate in a loop of its own: the catalogue's
        // tables (and a day's recent popularity, a different table for users of different
        // days) are mostly out of cache, and a loop of bare loads keeps many misses in flight
        // where one interleaved with the heap would wait for each.
        var score = [Float](repeating: 0, count: rows.count)
        for (c, r) in rows.enumerated() { score[c] = w.popularity * catalogue.popularity[Int(r)] }
        if !recentPopularity.isEmpty {
            for (c, r) in rows.enumerated() { score[c] += w.recentPopularity * recentPopularity[Int(r)] }
        }
        if let dots = cfDots, let z = cfNorm { for c in rows.indices { score[c] += w.cf * z.apply(dots[c]) } }
        if let dots = textDots, let z = textNorm { for c in rows.indices { score[c] += w.text * z.apply(dots[c]) } }
        if let dots = sequenceDots, let z = sequenceNorm { for c in rows.indices { score[c] += w.sequence * z.apply(dots[c]) } }
        var stage1 = TopK(attends ? max(k, shortlist) : k)
        for (c, r) in rows.enumerated() { stage1.offer(r, score[c]) }
        let ranked = stage1.sorted()
        guard attends else { return ranked }
        // The shortlist and its attention, as the full scan does (items below it cannot rise
        // above it, so k ≤ shortlist needs nothing else).
        let shortlisted = ranked.prefix(shortlist)
        guard shortlisted.count >= k else { return top(k, for: user, excluding: seen) }
        var best = TopK(k)
        for (id, s) in shortlisted {
            let i = Int(id)
            best.offer(id, s + w.textAttention * textAttention(i, user) + w.cfAttention * cfAttention(i, user))
        }
        return best.sorted()
    }
}

/// The mean and covariance of a matrix's rows, so that the mean and spread of a query's inner
/// products with every row come without computing them: mean = q·μ, variance = qᵀΣq
/// (population variance, as `standardise` uses). Σ is summed in Float over blocks of rows and
/// the blocks in Double. Building: O(rows · d²); a query: O(d²).
public struct RowMoments: Sendable {
    let dimension: Int
    let mean: [Double]
    /// d × d, row-major.
    let covariance: [Double]

    public init(vectors: [Float], rows: Int, dimension d: Int) {
        dimension = d
        let rows = max(0, min(rows, d > 0 ? vectors.count / d : 0))
        var mu = [Double](repeating: 0, count: d)
        for r in 0..<rows { for k in 0..<d { mu[k] += Double(vectors[r * d + k]) } }
        if rows > 0 { for k in 0..<d { mu[k] /= Double(rows) } }
        var cov = [Double](repeating: 0, count: d * d)
        let block = 1024
        var centred = [Float](repeating: 0, count: block * d)
        var gram = [Float](repeating: 0, count: d * d)
        let muFloat = mu.map { Float($0) }
        var start = 0
        while start < rows {
            let count = min(block, rows - start)
            for r in 0..<count { for k in 0..<d { centred[r * d + k] = vectors[(start + r) * d + k] - muFloat[k] } }
            for k in gram.indices { gram[k] = 0 }
            centred.withUnsafeBufferPointer { c in
                gram.withUnsafeMutableBufferPointer { g in
                    if let cb = c.baseAddress, let gb = g.baseAddress { VectorMath.gramAccumulate(cb, rows: count, dimension: d, into: gb) }
                }
            }
            for k in cov.indices { cov[k] += Double(gram[k]) }
            start += count
        }
        // The rows were centred on the Float mean; correct for its rounding (exact in Double).
        var shift = [Double](repeating: 0, count: d)
        for k in 0..<d { shift[k] = mu[k] - Double(muFloat[k]) }
        if rows > 0 {
            for a in 0..<d {
                for b in 0..<d { cov[a * d + b] = cov[a * d + b] / Double(rows) - shift[a] * shift[b] }
            }
        }
        mean = mu
        covariance = cov
    }

    /// How `standardise` would map q·v over these rows: subtract `mean`, multiply by `scale`.
    public struct Standardisation: Sendable {
        public let mean: Double
        public let scale: Double
        func apply(_ s: Float) -> Float { Float((Double(s) - mean) * scale) }
    }

    public func standardisation(_ q: [Float]) -> Standardisation {
        guard q.count == dimension else { return Standardisation(mean: 0, scale: 1) }
        var m = 0.0, v = 0.0
        for a in 0..<dimension {
            let qa = Double(q[a])
            m += qa * mean[a]
            var row = 0.0
            for b in 0..<dimension { row += covariance[a * dimension + b] * Double(q[b]) }
            v += qa * row
        }
        let sd = max(0, v).squareRoot()
        return Standardisation(mean: m, scale: sd > 1e-12 ? 1 / sd : 1)
    }
}

/// One bit per catalogue row: which rows a request has taken already.
struct RowMarks {
    private var words: [UInt64]

    init(count: Int) { words = [UInt64](repeating: 0, count: (max(0, count) + 63) / 64) }

    /// Marks row `i` (0 ≤ i < count); false when it was marked already.
    mutating func insert(_ i: Int) -> Bool {
        let (w, bit) = (i >> 6, UInt64(1) << UInt64(i & 63))
        if words[w] & bit != 0 { return false }
        words[w] |= bit
        return true
    }
}

/// Look-alike lists by item, filled on first use and kept for the index's life (the index
/// belongs to one loaded model generation). A list found twice by racing requests is the same
/// list (the search is deterministic), so the lock covers only the table.
final class LookAlikeMemo: Sendable {
    private let table = Mutex<[Int: [Int32]]>([:])

    func rows(of item: Int, search: () -> [Int32]) -> [Int32] {
        if let hit = table.withLock({ $0[item] }) { return hit }
        let found = search()
        table.withLock { $0[item] = found }
        return found
    }
}
