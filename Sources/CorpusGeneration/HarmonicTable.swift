import InterestCore

/// Zipf sampling with exponent 1: rank `r` (0-based) of a list of `n` is drawn with probability
/// `(1 / (r + 1)) / H(n)`, where `H(n)` is the n-th harmonic number.
///
/// One table of harmonic prefix sums serves every list (the weights only depend on the rank),
/// and a draw is one uniform number plus a binary search. Only additions and divisions are
/// used, so the table, and every draw, is identical on every IEEE-754 machine.
struct HarmonicTable: Sendable {
    /// `prefix[k]` = 1/1 + 1/2 + ... + 1/k (`prefix[0]` = 0).
    private let prefix: [Double]

    /// A table for lists of up to `maximumCount` elements.
    init(maximumCount: Int) {
        let count = max(1, maximumCount)
        var prefix = [Double]()
        prefix.reserveCapacity(count + 1)
        prefix.append(0)
        var sum = 0.0
        for rank in 1...count {
            sum += 1.0 / Double(rank)
            prefix.append(sum)
        }
        self.prefix = prefix
    }

    /// Largest list length the table supports.
    var maximumCount: Int { prefix.count - 1 }

    /// A Zipf-distributed rank in `0..<count` (0 when `count <= 1`; `count` is capped at
    /// `maximumCount`).
    func sampleRank(count: Int, using random: inout SeededRandom) -> Int {
        let count = min(count, maximumCount)
        guard count > 1 else { return 0 }
        let target = random.nextUnit() * prefix[count]
        // Smallest k in 1...count with prefix[k] > target.
        var low = 1
        var high = count
        while low < high {
            let middle = (low + high) >> 1
            if prefix[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low - 1
    }
}
