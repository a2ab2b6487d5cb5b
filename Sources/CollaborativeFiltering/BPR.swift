import Foundation
import InterestCore

/// Settings of BPR, with the peers' values as defaults.
public struct BPRConfiguration: Sendable, Equatable, Codable {
    public var factors: Int
    public var learningRate: Float
    public var regularization: Float
    /// Passes; each samples as many (user, item, negative) triples as the matrix has positives.
    public var iterations: Int
    public var seed: UInt64
    /// Threads > 1 update factors without locks (Hogwild), so only 1 is bit-for-bit reproducible.
    public var threads: Int

    public init(factors: Int = 64, learningRate: Float = 0.01, regularization: Float = 0.01, iterations: Int = 100,
                seed: UInt64 = 1, threads: Int = 1) {
        self.factors = factors
        self.learningRate = learningRate
        self.regularization = regularization
        self.iterations = iterations
        self.seed = seed
        self.threads = threads
    }
}

/// Bayesian personalised ranking (Rendle et al. 2009): for sampled triples (user u, an item i
/// with positive evidence, an item j without), gradient ascent on ln σ(x_u·y_i + b_i − x_u·y_j −
/// b_j) with L2 regularisation. Negatives are drawn uniformly and redrawn when the user has them.
public struct BPRTrainer: Sendable {
    public let configuration: BPRConfiguration

    public init(_ configuration: BPRConfiguration) throws(CFError) {
        guard (1...1024).contains(configuration.factors) else { throw .invalidSetting(name: "factors", reason: "must be 1…1024") }
        guard configuration.learningRate > 0 else { throw .invalidSetting(name: "learning rate", reason: "must be > 0") }
        guard configuration.regularization >= 0 else { throw .invalidSetting(name: "regularization", reason: "must be ≥ 0") }
        guard (1...10_000).contains(configuration.iterations) else { throw .invalidSetting(name: "iterations", reason: "must be 1…10000") }
        guard configuration.threads >= 1 else { throw .invalidSetting(name: "threads", reason: "must be at least 1") }
        self.configuration = configuration
    }

    /// `progress(iteration, fraction of correctly ordered sampled pairs)`.
    public func train(_ matrix: SparseMatrix, progress: ((Int, Double?) -> Void)? = nil) throws(CFError) -> FactorModel {
        let c = configuration
        let f = c.factors
        // Positive entries only.
        var positiveUsers: [Int32] = []
        var positiveItems: [Int32] = []
        for u in 0..<matrix.rows {
            for k in matrix.indptr[u]..<matrix.indptr[u + 1] where matrix.values[k] > 0 {
                positiveUsers.append(Int32(u))
                positiveItems.append(matrix.indices[k])
            }
        }
        let users = positiveUsers
        let items = positiveItems
        guard !users.isEmpty, matrix.columns > 1 else { throw .emptyMatrix }
        var rng = SeededRandom(seed: c.seed)
        let scale = 1 / Float(f).squareRoot()
        let userF = SharedFloats((0..<(matrix.rows * f)).map { _ in (rng.nextUnitFloat() - 0.5) * scale })
        let itemF = SharedFloats((0..<(matrix.columns * f)).map { _ in (rng.nextUnitFloat() - 0.5) * scale })
        let bias = SharedFloats([Float](repeating: 0, count: matrix.columns))
        let positives = users.count
        for it in 1...c.iterations {
            let correct = AtomicCounter()
            parallelChunks(count: positives, chunks: c.threads) { t, range in
                var r = SeededRandom(seed: c.seed, stream: UInt64(it) << 8 | UInt64(t))
                let grad = UnsafeMutablePointer<Float>.allocate(capacity: f)
                defer { grad.deallocate() }
                var ordered = 0
                for _ in range {
                    let s = r.next(below: positives)
                    let u = Int(users[s]), i = Int(items[s])
                    var j = r.next(below: matrix.columns)
                    var tries = 0
                    while Self.has(matrix, u, Int32(j)) && tries < 20 {
                        j = r.next(below: matrix.columns)
                        tries += 1
                    }
                    if j == i { continue }
                    let xu = userF.pointer + u * f, yi = itemF.pointer + i * f, yj = itemF.pointer + j * f
                    let x = VectorMath.dot(xu, yi, f) - VectorMath.dot(xu, yj, f) + bias.pointer[i] - bias.pointer[j]
                    if x > 0 { ordered += 1 }
                    let z = 1 / (1 + expf(x))
                    // grad_u = z·(y_i − y_j) − λ·x_u, applied after the item updates use the old x_u.
                    for k in 0..<f { grad[k] = z * (yi[k] - yj[k]) - c.regularization * xu[k] }
                    for k in 0..<f {
                        let xk = xu[k]
                        yi[k] += c.learningRate * (z * xk - c.regularization * yi[k])
                        yj[k] += c.learningRate * (-z * xk - c.regularization * yj[k])
                    }
                    VectorMath.axpy(c.learningRate, grad, xu, f)
                    bias.pointer[i] += c.learningRate * (z - c.regularization * bias.pointer[i])
                    bias.pointer[j] += c.learningRate * (-z - c.regularization * bias.pointer[j])
                }
                _ = correct.add(ordered)
            }
            progress?(it, Double(correct.add(0)) / Double(positives))
        }
        return FactorModel(factors: f, userFactors: userF.array(), itemFactors: itemF.array(), itemBias: bias.array())
    }

    /// Whether row u holds column c (binary search: rows are sorted).
    static func has(_ m: SparseMatrix, _ u: Int, _ c: Int32) -> Bool {
        var lo = m.indptr[u], hi = m.indptr[u + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if m.indices[mid] < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < m.indptr[u + 1] && m.indices[lo] == c
    }
}
