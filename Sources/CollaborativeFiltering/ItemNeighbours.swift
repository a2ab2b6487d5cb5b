import InterestCore

/// Item-to-item neighbours by co-occurrence ("bought together"): two items are close when the
/// same users touched both. The closeness is the cosine of their user sets,
///
///     cos(i, j) = |Uᵢ ∩ Uⱼ| / √(|Uᵢ|·|Uⱼ|),
///
/// (item-based collaborative filtering, Sarwar et al. 2001; Linden, Smith & York 2003). Each
/// item keeps its `neighbours` closest items shared by at least `minimumUsers` users — a pair
/// only one user made never leaves a trace of that user. Users with more than
/// `maximumItemsPerUser` distinct items (crawlers, resellers) are left out: they cost the square
/// of their item count and say little about what goes together.
public struct ItemNeighbours: Sendable {
    public struct Settings: Sendable, Equatable {
        public var neighbours = 50
        public var minimumUsers = 2
        public var maximumItemsPerUser = 1_000

        public init(neighbours: Int = 50, minimumUsers: Int = 2, maximumItemsPerUser: Int = 1_000) {
            self.neighbours = neighbours
            self.minimumUsers = minimumUsers
            self.maximumItemsPerUser = maximumItemsPerUser
        }
    }

    /// One neighbour of an item.
    public struct Neighbour: Sendable, Equatable {
        public let item: Int32
        public let score: Float
        /// Users who touched both items.
        public let users: Int32

        public init(item: Int32, score: Float, users: Int32) {
            self.item = item
            self.score = score
            self.users = users
        }
    }

    public let settings: Settings

    public init(_ settings: Settings = Settings()) throws(CFError) {
        guard settings.neighbours >= 1 else { throw .invalidSetting(name: "neighbours", reason: "must be at least 1, got \(settings.neighbours)") }
        guard settings.minimumUsers >= 1 else { throw .invalidSetting(name: "minimum users", reason: "must be at least 1, got \(settings.minimumUsers)") }
        guard settings.maximumItemsPerUser >= 2 else {
            throw .invalidSetting(name: "maximum items per user", reason: "must be at least 2, got \(settings.maximumItemsPerUser)")
        }
        self.settings = settings
    }

    /// The neighbours of every column of `matrix` (users × items; any stored entry counts as a
    /// touch, whatever its value), best first (ties: lower item index). Deterministic for any
    /// thread count.
    ///
    /// - Complexity: O(Σᵤ |Iᵤ|²) over the users kept, in parallel over items.
    public func neighbours(_ matrix: SparseMatrix, threads: Int = 2) -> [[Neighbour]] {
        let settings = self.settings
        let users = (0..<matrix.rows).filter { matrix.indptr[$0 + 1] - matrix.indptr[$0] <= settings.maximumItemsPerUser }
        var kept = [Bool](repeating: false, count: matrix.rows)
        for u in users { kept[u] = true }
        let byItem = matrix.transposed()
        // |Uᵢ| over the kept users.
        var userCount = [Int32](repeating: 0, count: matrix.columns)
        for u in users { for k in matrix.indptr[u]..<matrix.indptr[u + 1] { userCount[Int(matrix.indices[k])] += 1 } }
        let keptUsers = kept, counts = userCount
        struct Scratch { var together: [Int32]; var touched: [Int32] }
        return parallelMap(Array(0..<matrix.columns), threads: threads,
                           makeState: { Scratch(together: [Int32](repeating: 0, count: matrix.columns), touched: []) }) { scratch, i in
            guard counts[i] > 0 else { return [] }
            for k in byItem.indptr[i]..<byItem.indptr[i + 1] {
                let u = Int(byItem.indices[k])
                guard keptUsers[u] else { continue }
                for q in matrix.indptr[u]..<matrix.indptr[u + 1] {
                    let j = Int(matrix.indices[q])
                    guard j != i else { continue }
                    if scratch.together[j] == 0 { scratch.touched.append(Int32(j)) }
                    scratch.together[j] += 1
                }
            }
            var found: [Neighbour] = []
            for j in scratch.touched {
                let both = scratch.together[Int(j)]
                scratch.together[Int(j)] = 0
                guard both >= settings.minimumUsers else { continue }
                let score = Float(Double(both) / (Double(counts[i]) * Double(counts[Int(j)])).squareRoot())
                found.append(Neighbour(item: j, score: score, users: both))
            }
            scratch.touched.removeAll(keepingCapacity: true)
            found.sort { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
            return Array(found.prefix(settings.neighbours))
        }
    }
}
