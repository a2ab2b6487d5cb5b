import Dispatch
import InterestCore

/// An inverted-file index over the rows of an item matrix for maximum-inner-product search: the
/// rows are grouped by spherical k-means into about √n lists; a query scores the list centroids,
/// scans the rows of its `probe` best lists and keeps the best by their exact inner product
/// (IVF: Jégou, Douze & Schmid, "Product Quantization for Nearest Neighbor Search", TPAMI 2011,
/// without the quantisation). Inner products are not a metric, so each row v is first mapped to
/// the unit vector [v/M, √(1 − |v|²/M²)] (M the largest row norm) and the query q to [q/|q|, 0]:
/// their cosine is q·v/(|q|M), in the order of q·v (Bachrach et al., "Speeding Up the Xbox
/// Recommender System Using a Euclidean Transformation for Inner-Product Spaces", RecSys 2014).
/// Zero rows (items without a vector) are left out: no query can prefer them by this score.
///
/// Building costs O(rows · lists · dimension) — one assignment pass over every row, and the
/// k-means iterations over a seeded sample of at most 32 rows per list; a query costs
/// O(lists · dimension) for the centroids plus O(probe · rows / lists · dimension) for the scan.
/// The index keeps a copy of the rows in list order (so a list is scanned by one matrix–vector
/// product over contiguous memory) with each row's number and inverse norm: (d + 2) × 4 bytes a
/// row, plus the centroids.
public struct InvertedFileIndex: Sendable {
    public let dimension: Int
    public let rows: Int
    /// lists × (dimension + 1), unit rows in the augmented space.
    let centroids: [Float]
    /// Rows of list l are members[offsets[l]..<offsets[l + 1]].
    let offsets: [Int]
    let members: [Int32]
    /// The rows in list order (members.count × dimension) and 1/|row| in the same order.
    let packed: [Float]
    let inverseNorms: [Float]
    /// The longest list (the scan's scratch size).
    let longest: Int
    public var lists: Int { offsets.count - 1 }

    /// Indexes `rows` rows of `dimension` floats (row-major `vectors`). `lists` defaults to
    /// ⌈√(non-zero rows)⌉; the same inputs and seed give the same index.
    public init(vectors: [Float], rows: Int, dimension: Int, lists: Int? = nil, iterations: Int = 8, seed: UInt64 = 0x1F1,
                threads: Int = 2) {
        let rows = max(0, min(rows, dimension > 0 ? vectors.count / dimension : 0))
        self.dimension = dimension
        self.rows = rows
        let augmented = Self.augment(vectors, rows: rows, dimension: dimension)
        let present = (0..<rows).filter { augmented.norms[$0] > 0 }
        let want = lists ?? Int(Double(present.count).squareRoot().rounded(.up))
        let l = max(0, min(want, present.count))
        let width = dimension + 1
        guard l > 0 else {
            centroids = []
            offsets = [0]
            members = []
            packed = []
            inverseNorms = []
            longest = 0
            return
        }
        var random = SeededRandom(seed: seed)
        var sample = present
        random.shuffle(&sample)
        sample = Array(sample.prefix(max(l, 32 * l)))
        var centres = [Float](repeating: 0, count: l * width)
        for c in 0..<l {
            for k in 0..<width { centres[c * width + k] = augmented.values[sample[c] * width + k] }
        }
        for _ in 0..<max(0, iterations) {
            let assigned = Self.nearest(sample, augmented.values, width: width, centres, lists: l, threads: threads)
            var sums = [Float](repeating: 0, count: l * width)
            var counts = [Int](repeating: 0, count: l)
            for (k, r) in sample.enumerated() {
                let c = Int(assigned[k])
                counts[c] += 1
                for j in 0..<width { sums[c * width + j] += augmented.values[r * width + j] }
            }
            for c in 0..<l {
                if counts[c] == 0 {
                    // An empty list restarts at a random sampled row.
                    let r = sample[random.next(below: sample.count)]
                    for j in 0..<width { sums[c * width + j] = augmented.values[r * width + j] }
                }
                sums.withUnsafeMutableBufferPointer { p in
                    if let b = p.baseAddress { _ = VectorMath.normalize(b + c * width, width) }
                }
            }
            centres = sums
        }
        let assigned = Self.nearest(present, augmented.values, width: width, centres, lists: l, threads: threads)
        var counts = [Int](repeating: 0, count: l + 1)
        for c in assigned { counts[Int(c) + 1] += 1 }
        for c in 0..<l { counts[c + 1] += counts[c] }
        var fill = counts
        var members = [Int32](repeating: 0, count: present.count)
        for (k, r) in present.enumerated() {
            let c = Int(assigned[k])
            members[fill[c]] = Int32(r)
            fill[c] += 1
        }
        centroids = centres
        offsets = counts
        self.members = members
        var packed = [Float](repeating: 0, count: members.count * dimension)
        for (m, r) in members.enumerated() {
            for k in 0..<dimension { packed[m * dimension + k] = vectors[Int(r) * dimension + k] }
        }
        self.packed = packed
        inverseNorms = members.map { 1 / augmented.norms[Int($0)] }
        longest = (0..<l).map { counts[$0 + 1] - counts[$0] }.max() ?? 0
    }

    /// The augmented unit rows and each row's original norm.
    private static func augment(_ vectors: [Float], rows: Int, dimension: Int) -> (values: [Float], norms: [Float]) {
        let width = dimension + 1
        var norms = [Float](repeating: 0, count: rows)
        vectors.withUnsafeBufferPointer { v in
            guard let b = v.baseAddress else { return }
            for r in 0..<rows { norms[r] = VectorMath.norm(b + r * dimension, dimension) }
        }
        let top = norms.max() ?? 0
        var out = [Float](repeating: 0, count: rows * width)
        guard top > 0 else { return (out, norms) }
        for r in 0..<rows where norms[r] > 0 {
            for k in 0..<dimension { out[r * width + k] = vectors[r * dimension + k] / top }
            let ratio = norms[r] / top
            out[r * width + dimension] = max(0, 1 - ratio * ratio).squareRoot()
        }
        return (out, norms)
    }

    /// The best centroid of each of `rows` (by inner product; ties to the lower list).
    private static func nearest(_ rows: [Int], _ values: [Float], width: Int, _ centres: [Float], lists: Int, threads: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: rows.count)
        let parts = max(1, min(threads, rows.count / 2048))
        out.withUnsafeMutableBufferPointer { o in
            let target = SendablePointer(o.baseAddress)
            parallelPerform(iterations: parts) { part in
                let lo = rows.count * part / parts, hi = rows.count * (part + 1) / parts
                var scores = [Float](repeating: 0, count: lists)
                values.withUnsafeBufferPointer { v in
                    centres.withUnsafeBufferPointer { c in
                        scores.withUnsafeMutableBufferPointer { s in
                            guard let vb = v.baseAddress, let cb = c.baseAddress, let sb = s.baseAddress, let ob = target.pointer else { return }
                            for k in lo..<hi {
                                VectorMath.gemv(cb, rows: lists, dimension: width, vb + rows[k] * width, sb)
                                var best = 0
                                for j in 1..<lists where sb[j] > sb[best] { best = j }
                                ob[k] = Int32(best)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The `k` rows with the largest inner product with `query` — or, with `cosine`, the largest
    /// cosine — among the rows of the `probe` lists whose centroids best match it; best first,
    /// ties to the lower row (`ordered: false`: the same rows in no order). Empty for a zero or
    /// mis-sized query.
    public func top(_ k: Int, query: [Float], probe: Int, cosine: Bool = false, ordered: Bool = true) -> [(id: Int32, score: Float)] {
        guard k > 0, lists > 0, query.count == dimension else { return [] }
        let width = dimension + 1
        var q = query
        guard q.withUnsafeMutableBufferPointer({ p in p.baseAddress.map { VectorMath.normalize($0, dimension) } ?? false }) else { return [] }
        q.append(0)
        var listScores = [Float](repeating: 0, count: lists)
        centroids.withUnsafeBufferPointer { c in
            q.withUnsafeBufferPointer { qp in
                listScores.withUnsafeMutableBufferPointer { s in
                    if let cb = c.baseAddress, let qb = qp.baseAddress, let sb = s.baseAddress { VectorMath.gemv(cb, rows: lists, dimension: width, qb, sb) }
                }
            }
        }
        let chosen = TopK.best(max(1, min(probe, lists)), of: listScores)
        var best = TopK(k)
        var scores = [Float](repeating: 0, count: longest)
        packed.withUnsafeBufferPointer { v in
            query.withUnsafeBufferPointer { qp in
                scores.withUnsafeMutableBufferPointer { sp in
                    guard let vb = v.baseAddress, let qb = qp.baseAddress, let sb = sp.baseAddress else { return }
                    for (list, _) in chosen {
                        let lo = offsets[Int(list)], hi = offsets[Int(list) + 1]
                        guard hi > lo else { continue }
                        VectorMath.gemv(vb + lo * dimension, rows: hi - lo, dimension: dimension, qb, sb)
                        for m in lo..<hi {
                            let score = cosine ? sb[m - lo] * inverseNorms[m] : sb[m - lo]
                            if score > best.threshold { best.offer(members[m], score) }
                        }
                    }
                }
            }
        }
        return ordered ? best.sorted() : best.unordered()
    }
}

