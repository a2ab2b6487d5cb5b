import InterestCore

/// Learned user and item factors (row-major, `factors` floats per row). Immutable; a trainer
/// returns a new one. Scores are dot products.
public struct FactorModel: Sendable, Equatable {
    public let factors: Int
    public let userFactors: [Float]
    public let itemFactors: [Float]
    /// Per item an additive bias (BPR learns one; ALS has none).
    public let itemBias: [Float]?

    public init(factors: Int, userFactors: [Float], itemFactors: [Float], itemBias: [Float]? = nil) {
        self.factors = factors
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.itemBias = itemBias
    }

    public var users: Int { factors > 0 ? userFactors.count / factors : 0 }
    public var items: Int { factors > 0 ? itemFactors.count / factors : 0 }

    public func user(_ u: Int) -> [Float] { Array(userFactors[(u * factors)..<((u + 1) * factors)]) }
    public func item(_ i: Int) -> [Float] { Array(itemFactors[(i * factors)..<((i + 1) * factors)]) }

    /// Scores of every item for a user vector (bias added when the model has one).
    public func scores(userVector q: [Float]) -> [Float] {
        var out = VectorMath.gemv(itemFactors, rows: items, dimension: factors, q)
        guard q.count == factors else { return out }
        if let b = itemBias {
            for i in 0..<min(b.count, out.count) { out[i] += b[i] }
        }
        return out
    }
}

/// Runs `body` over `0..<count` in chunks handed out dynamically to `threads` threads (rows
/// differ in cost: popular items have many entries).
func parallelRows(_ count: Int, threads: Int, chunk: Int = 64, _ body: @Sendable (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let next = AtomicCounter()
    parallelChunks(count: max(1, threads), chunks: threads) { _, _ in
        while true {
            let start = next.add(chunk)
            if start >= count { return }
            body(start..<min(start + chunk, count))
        }
    }
}
