import Foundation

/// A small, fast, seedable pseudo-random generator: xoshiro256** (Blackman & Vigna 2018),
/// seeded through SplitMix64.
///
/// Every trainer and generator in InterestMiner takes one of these so that the same seed gives
/// byte-identical output on every machine. The helpers below (`next(below:)`, `nextUnit()`,
/// `shuffle`, `pick`) are implemented here rather than taken from the standard library so the
/// sequence they draw never changes with a compiler or library version.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Creates a generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next()
        s1 = sm.next()
        s2 = sm.next()
        s3 = sm.next()
    }

    /// A generator for an independent stream `stream` derived from `seed` (for per-thread or
    /// per-entity randomness that must not depend on scheduling).
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection). Returns 0 when
    /// `bound <= 0`.
    @inlinable @inline(__always)
    public mutating func next(below bound: Int) -> Int {
        guard bound > 0 else { return 0 }
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold {
                product = next().multipliedFullWidth(by: b)
            }
        }
        return Int(product.high)
    }

    /// A uniform integer in the closed range.
    @inline(__always)
    public mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.upperBound - range.lowerBound + 1)
    }

    /// A uniform double in `[0, 1)` with 53 bits of randomness.
    @inline(__always)
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform float in `[0, 1)` with 24 bits of randomness.
    @inlinable @inline(__always)
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// True with probability `p`.
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool {
        nextUnit() < p
    }

    /// A standard normal deviate (Box–Muller; one of the pair is discarded for simplicity).
    public mutating func nextGaussian() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Fisher–Yates shuffle in place.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = next(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A uniformly chosen element, or nil for an empty collection.
    public mutating func pick<C: RandomAccessCollection>(_ c: C) -> C.Element? {
        guard !c.isEmpty else { return nil }
        return c[c.index(c.startIndex, offsetBy: next(below: c.count))]
    }

    /// An index drawn with probability proportional to `weights[i]` (non-negative). Returns nil
    /// when every weight is zero or the array is empty.
    public mutating func pickIndex(weights: [Double]) -> Int? {
        var total = 0.0
        for w in weights where w > 0 { total += w }
        guard total > 0 else { return nil }
        var r = nextUnit() * total
        for (i, w) in weights.enumerated() where w > 0 {
            r -= w
            if r < 0 { return i }
        }
        return weights.lastIndex(where: { $0 > 0 })
    }

    @inlinable @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// SplitMix64 (Steele, Lea & Flood 2014): used to expand one seed into xoshiro's state.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
