import CKernels

/// Dense float vector kernels over raw memory: the inner loops of embedding training, pooling
/// and ranking. They run in `CKernels`, which picks AVX2+FMA code on processors that have it
/// and SSE (or plain C) elsewhere, at run time.
///
/// - Complexity: O(n) in the vector length.
public enum VectorMath {
    /// Σ a[i]·b[i].
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        ik_dot(a, b, n)
    }

    /// y[i] += alpha·x[i].
    @inlinable @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        ik_axpy(alpha, x, y, n)
    }

    /// out[r] = m[r]·q for each of `rows` rows of a row-major matrix.
    @inlinable @inline(__always)
    public static func gemv(_ m: UnsafePointer<Float>, rows: Int, dimension: Int, _ q: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        ik_gemv(m, rows, dimension, q, out)
    }

    /// Rows `lo..<hi` of the row-major matrix `m` (rows of `dimension`) times `q`, written to
    /// out[lo..<hi]. Nothing happens when the sizes do not fit.
    public static func gemv(_ m: [Float], dimension: Int, _ q: [Float], rows lo: Int, _ hi: Int, into out: UnsafeMutablePointer<Float>) {
        guard hi > lo, lo >= 0, dimension > 0, q.count == dimension, m.count >= hi * dimension else { return }
        m.withUnsafeBufferPointer { mp in
            q.withUnsafeBufferPointer { qp in
                if let mb = mp.baseAddress, let qb = qp.baseAddress { gemv(mb + lo * dimension, rows: hi - lo, dimension: dimension, qb, out + lo) }
            }
        }
    }

    /// m[r]·q for each row r of `rows` in the row-major matrix `m` (rows of `q.count` floats),
    /// in the order given; rows outside the matrix score 0. For candidate sets scattered over a
    /// large matrix: the rows are prefetched ahead (see `ik_dot_rows`).
    public static func dotRows(_ m: [Float], _ rows: [Int32], _ q: [Float]) -> [Float] {
        let d = q.count
        var out = [Float](repeating: 0, count: rows.count)
        guard d > 0 else { return out }
        let count = m.count / d
        let valid = rows.allSatisfy { $0 >= 0 && Int($0) < count }
        let inside = valid ? rows : rows.map { $0 >= 0 && Int($0) < count ? $0 : -1 }.filter { $0 >= 0 }
        var scores = [Float](repeating: 0, count: inside.count)
        m.withUnsafeBufferPointer { mp in
            q.withUnsafeBufferPointer { qp in
                inside.withUnsafeBufferPointer { rp in
                    scores.withUnsafeMutableBufferPointer { sp in
                        if let mb = mp.baseAddress, let qb = qp.baseAddress, let rb = rp.baseAddress, let sb = sp.baseAddress {
                            ik_dot_rows(mb, d, rb, inside.count, qb, sb)
                        }
                    }
                }
            }
        }
        if valid { return scores }
        var next = 0
        for (i, r) in rows.enumerated() where r >= 0 && Int(r) < count {
            out[i] = scores[next]
            next += 1
        }
        return out
    }

    /// g += Σ_r y_r·y_rᵀ over `rows` rows of the row-major rows×dimension matrix `y` (g is
    /// dimension×dimension and symmetric on entry).
    @inlinable @inline(__always)
    public static func gramAccumulate(_ y: UnsafePointer<Float>, rows: Int, dimension: Int, into g: UnsafeMutablePointer<Float>) {
        ik_gram_accumulate(y, rows, dimension, g)
    }

    /// m·q for a row-major matrix `m` of `rows` rows (zeros when the sizes do not fit).
    public static func gemv(_ m: [Float], rows: Int, dimension: Int, _ q: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: max(0, rows))
        out.withUnsafeMutableBufferPointer { o in
            if let ob = o.baseAddress { gemv(m, dimension: dimension, q, rows: 0, rows, into: ob) }
        }
        return out
    }

    /// One skip-gram negative-sampling step (see `ik_sgns_step` in CKernels).
    @inlinable @inline(__always)
    public static func skipGramStep(context l1: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                                    targets: UnsafePointer<Int32>, count: Int, dimension: Int, rate: Float,
                                    sigmoid: UnsafePointer<Float>, steps: Int, maxExp: Float, scratch: UnsafeMutablePointer<Float>) {
        ik_sgns_step(l1, output, targets, Int32(count), dimension, rate, sigmoid, Int32(steps), maxExp, scratch)
    }

    /// Whether the AVX2+FMA kernels are in use on this processor.
    public static var usesAVX2: Bool { ik_uses_avx2() != 0 }

    /// x[i] *= alpha.
    @inlinable @inline(__always)
    public static func scale(_ alpha: Float, _ x: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { x[i] *= alpha }
    }

    /// The Euclidean norm.
    @inlinable @inline(__always)
    public static func norm(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        dot(x, x, n).squareRoot()
    }

    /// Scales `x` to unit length; returns false (leaving it unchanged) when its norm is 0 or
    /// not finite.
    @inlinable @discardableResult
    /// A row-major matrix of `dimension`-wide rows with each row scaled to unit length (zero
    /// rows stay zero).
    public static func unitRows(_ m: [Float], dimension d: Int) -> [Float] {
        var out = m
        out.withUnsafeMutableBufferPointer { p in
            guard let b = p.baseAddress, d > 0 else { return }
            for r in 0..<(p.count / d) { _ = normalize(b + r * d, d) }
        }
        return out
    }

    public static func normalize(_ x: UnsafeMutablePointer<Float>, _ n: Int) -> Bool {
        let len = norm(x, n)
        guard len > 0, len.isFinite else { return false }
        scale(1 / len, x, n)
        return true
    }
}

extension Array where Element == Float {
    /// Σ self[i]·other[i] (the shorter length wins).
    public func dot(_ other: [Float]) -> Float {
        withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                guard let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
                return VectorMath.dot(pa, pb, Swift.min(a.count, b.count))
            }
        }
    }

    /// This vector scaled to unit length (unchanged when it is zero).
    public func normalized() -> [Float] {
        var copy = self
        copy.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { VectorMath.normalize(base, p.count) }
        }
        return copy
    }

    /// Adds `alpha·x` (same length).
    public mutating func add(_ x: [Float], times alpha: Float = 1) {
        let n = Swift.min(count, x.count)
        withUnsafeMutableBufferPointer { y in
            x.withUnsafeBufferPointer { xp in
                if let py = y.baseAddress, let px = xp.baseAddress { VectorMath.axpy(alpha, px, py, n) }
            }
        }
    }
}
