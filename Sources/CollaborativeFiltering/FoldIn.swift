import InterestCore

/// Factors for rows that arrived after training (new users, or users with new events): the
/// exact least-squares solve of the row against the fixed other side — the same objective an ALS
/// half-iteration minimises, solved by Cholesky instead of a few CG steps, so it is exact.
public struct ALSFoldIn: Sendable {
    public let factors: Int
    public let alpha: Float
    public let regularization: Float
    /// The fixed side's factors (row-major).
    let fixed: [Float]
    /// YᵀY + λI of the fixed side.
    let gram: [Float]

    /// Fold-in of users against `model`'s items; `alpha` and `regularization` as trained.
    public init(itemsOf model: FactorModel, alpha: Float, regularization: Float, threads: Int = 2) {
        self.init(fixed: model.itemFactors, rows: model.items, factors: model.factors, alpha: alpha, regularization: regularization, threads: threads)
    }

    /// Fold-in of items against `model`'s users (an item's column of the matrix is its row here).
    public init(usersOf model: FactorModel, alpha: Float, regularization: Float, threads: Int = 2) {
        self.init(fixed: model.userFactors, rows: model.users, factors: model.factors, alpha: alpha, regularization: regularization, threads: threads)
    }

    /// Fold-in against a fixed side given as its Gram matrix `gram` = YᵀY over all its rows
    /// (f×f, without λ; computed at training, so loading needs no pass over every row) and only
    /// the rows `fixed` (row-major, compact) that the rows to solve name: entries' columns index
    /// `fixed`. Solves exactly what the full-matrix fold-in solves.
    public init(gram: [Float], fixed: [Float], factors: Int, alpha: Float, regularization: Float) {
        self.factors = factors
        self.alpha = alpha
        self.regularization = regularization
        self.fixed = fixed
        var g = gram.count == factors * factors ? gram : [Float](repeating: 0, count: factors * factors)
        for k in 0..<factors { g[k * factors + k] += regularization }
        self.gram = g
    }

    /// YᵀY of row-major `fixed` (f×f, no regularization): what `init(gram:fixed:…)` takes.
    public static func gram(_ fixed: [Float], factors: Int, threads: Int = 2) -> [Float] {
        guard factors > 0 else { return [] }
        return ALSTrainer.gramian(SharedFloats(fixed), rows: fixed.count / factors, factors: factors, regularization: 0, threads: threads)
    }

    init(fixed: [Float], rows: Int, factors: Int, alpha: Float, regularization: Float, threads: Int) {
        self.factors = factors
        self.alpha = alpha
        self.regularization = regularization
        self.fixed = fixed
        gram = ALSTrainer.gramian(SharedFloats(fixed), rows: rows, factors: factors, regularization: regularization, threads: threads)
    }

    /// The factors of a row with these (column, weight) entries (weights before `alpha`); the
    /// zero vector for an empty row.
    public func solve(_ entries: [(Int32, Float)]) -> [Float] {
        let f = factors
        guard !entries.isEmpty else { return [Float](repeating: 0, count: f) }
        var a = gram.map(Double.init)
        var b = [Double](repeating: 0, count: f)
        // A request folds a user in on every read until the next training run: the rank-one
        // updates run over raw buffers (no bounds checks, so the inner loop vectorises; the
        // same operations in the same order as indexed arrays would do).
        a.withUnsafeMutableBufferPointer { ap in
            b.withUnsafeMutableBufferPointer { bp in
                fixed.withUnsafeBufferPointer { yp in
                    guard let a = ap.baseAddress, let b = bp.baseAddress, let fixed = yp.baseAddress else { return }
                    for (col, weight) in entries {
                        guard col >= 0, Int(col) * f < yp.count else { continue }
                        var c = Double(weight * alpha)
                        let y = fixed + Int(col) * f
                        if c > 0 {
                            for j in 0..<f { b[j] += c * Double(y[j]) }
                        } else {
                            c = -c
                        }
                        let w = c - 1
                        guard w != 0 else { continue }
                        for j in 0..<f {
                            let yj = w * Double(y[j])
                            let row = a + j * f
                            for k in 0..<f { row[k] += yj * Double(y[k]) }
                        }
                    }
                }
            }
        }
        guard let x = Cholesky.solve(a, b, n: f) else { return [Float](repeating: 0, count: f) }
        return x.map(Float.init)
    }
}

/// Dense symmetric positive-definite solves (n ≤ a few hundred).
enum Cholesky {
    /// x with A·x = b, or nil when A is not positive definite.
    static func solve(_ aIn: [Double], _ b: [Double], n: Int) -> [Double]? {
        guard n > 0, aIn.count >= n * n, b.count >= n else { return nil }
        var l = [Double](repeating: 0, count: n * n)
        var x = b
        let solved = l.withUnsafeMutableBufferPointer { lp -> Bool in
            aIn.withUnsafeBufferPointer { ap -> Bool in
                x.withUnsafeMutableBufferPointer { xp -> Bool in
                    guard let l = lp.baseAddress, let a = ap.baseAddress, let x = xp.baseAddress else { return false }
                    for i in 0..<n {
                        for j in 0...i {
                            var s = a[i * n + j]
                            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                            if i == j {
                                guard s > 0, s.isFinite else { return false }
                                l[i * n + i] = s.squareRoot()
                            } else {
                                l[i * n + j] = s / l[j * n + j]
                            }
                        }
                    }
                    // L·y = b, then Lᵀ·x = y, in place.
                    for i in 0..<n {
                        var s = x[i]
                        for k in 0..<i { s -= l[i * n + k] * x[k] }
                        x[i] = s / l[i * n + i]
                    }
                    for i in stride(from: n - 1, through: 0, by: -1) {
                        var s = x[i]
                        for k in (i + 1)..<n { s -= l[k * n + i] * x[k] }
                        x[i] = s / l[i * n + i]
                    }
                    return true
                }
            }
        }
        return solved ? x : nil
    }
}
