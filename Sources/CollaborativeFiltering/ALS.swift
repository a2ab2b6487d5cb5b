import CKernels
import InterestCore

/// Settings of implicit-feedback ALS, with the peers' values as defaults.
public struct ALSConfiguration: Sendable, Equatable, Codable {
    public var factors: Int
    public var regularization: Float
    /// Confidence scale: c_ui = alpha · weight(u, i) (`implicit`'s convention).
    public var alpha: Float
    public var iterations: Int
    /// Conjugate-gradient steps per row per half-iteration (Takács et al. 2011; implicit's 3).
    public var cgSteps: Int
    public var seed: UInt64
    public var threads: Int
    /// Compute the training loss after each iteration (costs about one extra CG step).
    public var computeLoss: Bool

    public init(factors: Int = 64, regularization: Float = 0.05, alpha: Float = 10, iterations: Int = 15, cgSteps: Int = 3,
                seed: UInt64 = 1, threads: Int = 2, computeLoss: Bool = true) {
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.cgSteps = cgSteps
        self.seed = seed
        self.threads = threads
        self.computeLoss = computeLoss
    }

    func validated() throws(CFError) -> ALSConfiguration {
        guard (1...1024).contains(factors) else { throw .invalidSetting(name: "factors", reason: "must be 1…1024, got \(factors)") }
        guard regularization >= 0, regularization.isFinite else { throw .invalidSetting(name: "regularization", reason: "must be ≥ 0") }
        guard alpha > 0, alpha.isFinite else { throw .invalidSetting(name: "alpha", reason: "must be > 0") }
        guard (1...1000).contains(iterations) else { throw .invalidSetting(name: "iterations", reason: "must be 1…1000, got \(iterations)") }
        guard (1...64).contains(cgSteps) else { throw .invalidSetting(name: "CG steps", reason: "must be 1…64") }
        guard threads >= 1 else { throw .invalidSetting(name: "threads", reason: "must be at least 1") }
        return self
    }
}

/// Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008, "Collaborative filtering
/// for implicit feedback datasets"): minimise Σ c_ui (p_ui − x_u·y_i)² + λ(|x|² + |y|²) over all
/// cells, p = 1 where the user acted (0 for negative evidence), c = 1 elsewhere. Alternates user
/// and item solves; each row is solved by a few conjugate-gradient steps from its previous value
/// (Takács, Pilászy & Tikk 2011), with YᵀY + λI precomputed once per half-iteration, so a row costs
/// O(f² + n_u·f). Rows are independent, so training is deterministic for any thread count.
public struct ALSTrainer: Sendable {
    public let configuration: ALSConfiguration

    public init(_ configuration: ALSConfiguration) throws(CFError) {
        self.configuration = try configuration.validated()
    }

    /// Trains on a users × items matrix of interaction weights. `progress(iteration, loss)`.
    public func train(_ matrix: SparseMatrix, progress: ((Int, Double?) -> Void)? = nil) throws(CFError) -> FactorModel {
        guard matrix.nonZeros > 0 else { throw .emptyMatrix }
        let c = configuration
        let cui = matrix.scaled(by: c.alpha)
        let ciu = cui.transposed()
        var rng = SeededRandom(seed: c.seed)
        let users = SharedFloats((0..<(matrix.rows * c.factors)).map { _ in rng.nextUnitFloat() * 0.01 })
        let items = SharedFloats((0..<(matrix.columns * c.factors)).map { _ in rng.nextUnitFloat() * 0.01 })
        for it in 1...c.iterations {
            Self.solve(cui, target: users, fixed: items, configuration: c)
            Self.solve(ciu, target: items, fixed: users, configuration: c)
            progress?(it, c.computeLoss ? Self.loss(cui, users: users, items: items, configuration: c) : nil)
        }
        return FactorModel(factors: c.factors, userFactors: users.array(), itemFactors: items.array())
    }

    /// One half-iteration: every row of `target` re-solved against `fixed`.
    static func solve(_ m: SparseMatrix, target: SharedFloats, fixed: SharedFloats, configuration c: ALSConfiguration) {
        let f = c.factors
        let gram = gramian(fixed, rows: fixed.count / f, factors: f, regularization: c.regularization, threads: c.threads)
        m.indices.withUnsafeBufferPointer { cols in
            m.values.withUnsafeBufferPointer { conf in
                gram.withUnsafeBufferPointer { g in
                    guard let cb = cols.baseAddress ?? UnsafePointer(bitPattern: 1), let vb = conf.baseAddress ?? UnsafePointer(bitPattern: 1),
                          let gb = g.baseAddress else { return }
                    let colsP = SendablePointer(cb), confP = SendablePointer(vb), gramP = SendablePointer(gb)
                    parallelRows(m.rows, threads: c.threads) { range in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * f)
                        defer { scratch.deallocate() }
                        for r in range {
                            let x = target.pointer + r * f
                            let lo = m.indptr[r], n = m.indptr[r + 1] - lo
                            if n == 0 {
                                x.initialize(repeating: 0, count: f)
                                continue
                            }
                            ik_als_cg_row(gramP.pointer, fixed.pointer, colsP.pointer + lo, confP.pointer + lo, n, f, x, Int32(c.cgSteps), scratch)
                        }
                    }
                }
            }
        }
    }

    /// YᵀY + λI (f×f, row-major) of a factor matrix, summed over rows in parallel.
    /// Partial sums run over a fixed number of row blocks added in block order, so the result
    /// does not depend on the thread count.
    static func gramian(_ y: SharedFloats, rows: Int, factors f: Int, regularization: Float, threads: Int) -> [Float] {
        let blocks = reductionBlocks
        let parts = parallelMap(Array(0..<blocks), threads: threads, makeState: { () }) { _, t -> [Float] in
            var g = [Float](repeating: 0, count: f * f)
            let lo = t * rows / blocks, hi = (t + 1) * rows / blocks
            g.withUnsafeMutableBufferPointer { gp in
                if let gb = gp.baseAddress, hi > lo { ik_gram_accumulate(y.pointer + lo * f, hi - lo, f, gb) }
            }
            return g
        }
        var g = [Float](repeating: 0, count: f * f)
        for p in parts { g.add(p) }
        for j in 0..<f { g[j * f + j] += regularization }
        return g
    }

    /// Blocks of the parallel reductions (fixed, for results independent of the thread count).
    static let reductionBlocks = 16

    /// `implicit`'s training loss: Σ c (p − x·y)² over all cells + λ(|X|² + |Y|²), divided by the
    /// total confidence (observed cells count c, the rest 1).
    static func loss(_ cui: SparseMatrix, users: SharedFloats, items: SharedFloats, configuration c: ALSConfiguration) -> Double {
        let f = c.factors
        let gram = gramian(items, rows: items.count / f, factors: f, regularization: 0, threads: c.threads)
        let blocks = reductionBlocks
        let parts = parallelMap(Array(0..<blocks), threads: c.threads, makeState: { () }) { _, t -> (Double, Double, Double) in
            var loss = 0.0, confidence = 0.0, norms = 0.0
            var r = [Float](repeating: 0, count: f)
            let lo = t * cui.rows / blocks, hi = (t + 1) * cui.rows / blocks
            for u in lo..<hi {
                let x = users.pointer + u * f
                r.withUnsafeMutableBufferPointer { rp in
                    guard let rb = rp.baseAddress else { return }
                    gram.withUnsafeBufferPointer { g in
                        if let gb = g.baseAddress { VectorMath.gemv(gb, rows: f, dimension: f, x, rb) }
                    }
                    for k in cui.indptr[u]..<cui.indptr[u + 1] {
                        var conf = cui.values[k]
                        var temp: Float = conf > 0 ? -2 * conf : 0
                        if conf < 0 { conf = -conf }
                        let y = items.pointer + Int(cui.indices[k]) * f
                        temp += (conf - 1) * VectorMath.dot(y, x, f)
                        VectorMath.axpy(temp, y, rb, f)
                        confidence += Double(conf)
                        loss += Double(conf)
                    }
                    loss += Double(VectorMath.dot(rb, x, f))
                    norms += Double(VectorMath.dot(x, x, f))
                }
            }
            return (loss, confidence, norms)
        }
        var loss = 0.0, confidence = 0.0, userNorm = 0.0
        for p in parts {
            loss += p.0
            confidence += p.1
            userNorm += p.2
        }
        var itemNorm = 0.0
        for i in 0..<(items.count / f) { itemNorm += Double(VectorMath.dot(items.pointer + i * f, items.pointer + i * f, f)) }
        loss += Double(c.regularization) * (itemNorm + userNorm)
        let cells = Double(cui.rows) * Double(cui.columns)
        return loss / (confidence + cells - Double(cui.nonZeros))
    }
}

