import CTransformerKernels

/// A float buffer owned by one thread's workspace (no copy-on-write, no bounds checks on the
/// hot loops; every index is derived from the batch's shape, never from input values).
final class FloatBuffer: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(_ count: Int) {
        capacity = max(1, count)
        pointer = .allocate(capacity: capacity)
        pointer.initialize(repeating: 0, count: capacity)
    }

    deinit { pointer.deallocate() }

    /// Grows to hold `count` floats (contents are not kept).
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: capacity)
        pointer.initialize(repeating: 0, count: capacity)
    }

    func zero(_ count: Int) { pointer.update(repeating: 0, count: min(count, capacity)) }
}

/// C = alpha·op(A)·op(B) + beta·C (row-major; op(A) m×k, op(B) k×n).
@inline(__always)
func gemm(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
          _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    guard m > 0, n > 0 else { return }
    tk_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

/// LayerNorm (Ba et al. 2016) of `rows` rows: xhat = (x − mean)·rstd, y = xhat·gamma + beta.
/// Keeps xhat and rstd for the backward pass.
func layerNormForward(_ x: UnsafePointer<Float>, rows: Int, dimension d: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                      epsilon: Float, xhat: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let row = x + r * d
        var mean: Float = 0
        for j in 0..<d { mean += row[j] }
        mean /= Float(d)
        var variance: Float = 0
        for j in 0..<d {
            let c = row[j] - mean
            variance += c * c
        }
        let s = 1 / (variance / Float(d) + epsilon).squareRoot()
        rstd[r] = s
        let xh = xhat + r * d, o = out + r * d
        for j in 0..<d {
            let v = (row[j] - mean) * s
            xh[j] = v
            o[j] = v * gamma[j] + beta[j]
        }
    }
}

/// The LayerNorm backward pass: adds dL/dx to `dx` (accumulate: residual paths meet there) and
/// dL/dgamma, dL/dbeta to their gradients.
func layerNormBackward(_ dy: UnsafePointer<Float>, rows: Int, dimension d: Int, xhat: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                       gamma: UnsafePointer<Float>, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
                       dx: UnsafeMutablePointer<Float>) {
    let inverse = 1 / Float(d)
    for r in 0..<rows {
        let g = dy + r * d, xh = xhat + r * d, out = dx + r * d
        var meanG: Float = 0, meanGX: Float = 0
        for j in 0..<d {
            let gj = g[j] * gamma[j]
            meanG += gj
            meanGX += gj * xh[j]
            dGamma[j] += g[j] * xh[j]
            dBeta[j] += g[j]
        }
        meanG *= inverse
        meanGX *= inverse
        let s = rstd[r]
        for j in 0..<d { out[j] += s * (g[j] * gamma[j] - meanG - xh[j] * meanGX) }
    }
}

/// out[j] += Σ_r x[r][j] (bias gradients).
func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let row = x + r * columns
        for j in 0..<columns { out[j] += row[j] }
    }
}

/// x[r][j] += bias[j].
func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
    for r in 0..<rows {
        let row = x + r * columns
        for j in 0..<columns { row[j] += bias[j] }
    }
}

/// Why OpenBLAS could not be loaded, or nil when `gemm` runs through it.
func blasUnavailable() -> String? {
    tk_blas_error().map { String(cString: $0) }
}
