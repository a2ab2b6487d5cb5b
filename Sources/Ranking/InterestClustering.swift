import InterestCore

/// A user's several interests (as in MIND and ComiRec): weighted spherical k-means over the
/// user's event vectors, seeded, with the number of interests chosen by how much a split helps.
///
/// For k = 1…`maxInterests` the best of `restarts` seeded k-means++ runs is kept; k interests
/// are accepted over k − 1 when the weighted mean cosine of events to their centroid rises by at
/// least `minGain` and every interest holds at least `minShare` of the weight and two events.
/// A focused history stays one interest; lipstick and fishing reels become two.
public struct InterestClustering: Sendable {
    public struct Settings: Sendable, Equatable, Codable {
        public var maxInterests = 3
        public var minGain = 0.04
        public var minShare = 0.1
        public var iterations = 25
        public var restarts = 3
        public var seed: UInt64 = 1

        public init() {}
    }

    /// One event: a unit vector and its weight (kind weight × time decay).
    public struct Point: Sendable {
        public let vector: [Float]
        public let weight: Double

        public init(vector: [Float], weight: Double) {
            self.vector = vector
            self.weight = weight
        }
    }

    /// One interest: its unit centroid, share of the user's weight, and member points.
    public struct Interest: Sendable, Equatable {
        public let centroid: [Float]
        public let share: Double
        public let members: [Int]
    }

    public let settings: Settings

    public init(_ settings: Settings = Settings()) {
        self.settings = settings
    }

    /// The user's interests, heaviest first. Empty when no point has weight.
    public func cluster(_ points: [Point]) -> [Interest] {
        let live = points.indices.filter { points[$0].weight > 0 && points[$0].vector.contains { $0 != 0 } }
        guard let first = live.first else { return [] }
        let dim = points[first].vector.count
        let total = live.reduce(0.0) { $0 + points[$1].weight }
        var rng = SeededRandom(seed: settings.seed)
        var best = run(points, live, k: 1, dim: dim, rng: &rng)
        var bestQuality = best.quality
        if settings.maxInterests >= 2 {
            for k in 2...settings.maxInterests where live.count >= 2 * k {
                var candidate: (assignment: [Int], centroids: [[Float]], quality: Double)?
                for _ in 0..<max(1, settings.restarts) {
                    let r = run(points, live, k: k, dim: dim, rng: &rng)
                    if candidate == nil || r.quality > candidate!.quality { candidate = r }
                }
                guard let c = candidate, c.quality - bestQuality >= settings.minGain else { break }
                var weights = [Double](repeating: 0, count: k)
                var counts = [Int](repeating: 0, count: k)
                for (n, p) in live.enumerated() {
                    weights[c.assignment[n]] += points[p].weight
                    counts[c.assignment[n]] += 1
                }
                guard weights.allSatisfy({ $0 / total >= settings.minShare }), counts.allSatisfy({ $0 >= 2 }) else { break }
                best = c
                bestQuality = c.quality
            }
        }
        var interests: [Interest] = []
        for (j, centroid) in best.centroids.enumerated() {
            let members = live.enumerated().filter { best.assignment[$0.offset] == j }.map(\.element)
            let w = members.reduce(0.0) { $0 + points[$1].weight }
            interests.append(Interest(centroid: centroid, share: w / total, members: members))
        }
        return interests.sorted { $0.share != $1.share ? $0.share > $1.share : ($0.members.first ?? 0) < ($1.members.first ?? 0) }
    }

    /// Weighted spherical k-means from k-means++ seeds (k = 1 needs no randomness).
    private func run(_ points: [Point], _ live: [Int], k: Int, dim: Int, rng: inout SeededRandom) -> (assignment: [Int], centroids: [[Float]], quality: Double) {
        var centroids: [[Float]] = []
        if k == 1 {
            centroids = [mean(points, live, dim: dim)]
        } else {
            // k-means++: the first seed by weight, each next one by weight × (1 − best cosine).
            centroids.append(points[live[pick(live.map { points[$0].weight }, &rng)]].vector)
            while centroids.count < k {
                let d = live.map { p in points[p].weight * max(0, 1 - Double(centroids.map { points[p].vector.dot($0) }.max() ?? 0)) }
                centroids.append(points[live[pick(d, &rng)]].vector)
            }
        }
        var assignment = [Int](repeating: 0, count: live.count)
        for _ in 0..<settings.iterations {
            var changed = false
            for (n, p) in live.enumerated() {
                var bestJ = 0
                var bestCos = -Float.infinity
                for (j, c) in centroids.enumerated() {
                    let cos = points[p].vector.dot(c)
                    if cos > bestCos { bestCos = cos; bestJ = j }
                }
                if assignment[n] != bestJ { assignment[n] = bestJ; changed = true }
            }
            for j in centroids.indices {
                let members = live.enumerated().filter { assignment[$0.offset] == j }.map(\.element)
                if !members.isEmpty { centroids[j] = mean(points, members, dim: dim) }
            }
            if !changed { break }
        }
        var quality = 0.0, total = 0.0
        for (n, p) in live.enumerated() {
            quality += points[p].weight * Double(points[p].vector.dot(centroids[assignment[n]]))
            total += points[p].weight
        }
        return (assignment, centroids, total > 0 ? quality / total : 0)
    }

    private func mean(_ points: [Point], _ members: [Int], dim: Int) -> [Float] {
        var s = [Double](repeating: 0, count: dim)
        for p in members {
            let w = points[p].weight
            for (k, x) in points[p].vector.enumerated() { s[k] += w * Double(x) }
        }
        let n = s.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return n > 0 ? s.map { Float($0 / n) } : [Float](repeating: 0, count: dim)
    }

    private func pick(_ weights: [Double], _ rng: inout SeededRandom) -> Int {
        rng.pickIndex(weights: weights) ?? 0
    }
}
