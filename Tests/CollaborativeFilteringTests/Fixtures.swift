@testable import CollaborativeFiltering

/// The checkerboard of `implicit`'s tests: user u likes item i when u + i is even — two taste
/// groups, a rank-2 pattern — except one withheld item of their parity per user (each item is
/// withheld from one user of its group).
enum Checkerboard {
    static let users = 40
    static let items = 40

    static func withheld(_ u: Int) -> Int { (2 * ((u * 3) % 20) + u % 2) % items }

    static func matrix() -> SparseMatrix {
        var t: [(row: Int32, column: Int32, value: Float)] = []
        for u in 0..<users {
            for i in 0..<items where (u + i) % 2 == 0 && i != withheld(u) { t.append((Int32(u), Int32(i), 1)) }
        }
        return SparseMatrix(rows: users, columns: items, triplets: t)
    }

    /// The withheld item's rank among the user's unseen items (1 = first).
    static func rankOfWithheld(_ model: FactorModel, user u: Int, matrix m: SparseMatrix) -> Int {
        let scores = model.scores(userVector: model.user(u))
        let seen = Set(m.row(u).map { Int($0.0) })
        let target = scores[withheld(u)]
        return 1 + (0..<items).filter { !seen.contains($0) && $0 != withheld(u) && scores[$0] >= target }.count
    }
}

/// Dense reference solve of (YᵀC_uY + λI)x = YᵀC_u p_u for a row with `entries`, in Double by
/// Gaussian elimination — written independently of the library's CG and Cholesky code.
func referenceRowSolve(items y: [Float], factors f: Int, entries: [(Int32, Float)], alpha: Float, regularization: Float) -> [Double] {
    let n = y.count / f
    var a = [Double](repeating: 0, count: f * f)
    var b = [Double](repeating: 0, count: f)
    var confidence = [Double](repeating: 1, count: n)
    var preference = [Double](repeating: 0, count: n)
    for (i, w) in entries {
        // implicit's convention: cell value c = alpha·w is the confidence; p = 1 when c > 0.
        let c = Double(alpha * w)
        confidence[Int(i)] = abs(c)
        preference[Int(i)] = c > 0 ? 1 : 0
    }
    for i in 0..<n {
        for j in 0..<f {
            let yj = Double(y[i * f + j])
            b[j] += confidence[i] * preference[i] * yj
            for k in 0..<f { a[j * f + k] += confidence[i] * yj * Double(y[i * f + k]) }
        }
    }
    for j in 0..<f { a[j * f + j] += Double(regularization) }
    // Gaussian elimination with partial pivoting.
    var m = a, x = b
    for col in 0..<f {
        var pivot = col
        for r in col..<f where abs(m[r * f + col]) > abs(m[pivot * f + col]) { pivot = r }
        if pivot != col {
            for k in 0..<f { m.swapAt(col * f + k, pivot * f + k) }
            x.swapAt(col, pivot)
        }
        for r in (col + 1)..<f {
            let factor = m[r * f + col] / m[col * f + col]
            for k in col..<f { m[r * f + k] -= factor * m[col * f + k] }
            x[r] -= factor * x[col]
        }
    }
    for r in stride(from: f - 1, through: 0, by: -1) {
        var s = x[r]
        for k in (r + 1)..<f { s -= m[r * f + k] * x[k] }
        x[r] = s / m[r * f + r]
    }
    return x
}
