/// The k best of a stream of scored ids, kept in a bounded min-heap: scores descending, ties
/// broken by the smaller id (so results never depend on input order).
///
/// - Complexity: O(n log k) for n offers, O(k log k) to read out.
public struct TopK: Sendable {
    public let k: Int
    @usableFromInline var heap: [(score: Float, id: Int32)] = []

    public init(_ k: Int) {
        self.k = max(0, k)
        heap.reserveCapacity(self.k)
    }

    /// "a ranks below b": lower score, or equal score and larger id.
    @inlinable @inline(__always)
    static func worse(_ a: (score: Float, id: Int32), _ b: (score: Float, id: Int32)) -> Bool {
        a.score != b.score ? a.score < b.score : a.id > b.id
    }

    /// The score an offer must beat to enter (−∞ while not full).
    @inlinable @inline(__always) public var threshold: Float { heap.count < k ? -.infinity : heap[0].score }

    @inlinable
    public mutating func offer(_ id: Int32, _ score: Float) {
        guard k > 0, !score.isNaN else { return }
        let item = (score: score, id: id)
        if heap.count < k {
            heap.append(item)
            var c = heap.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                guard Self.worse(heap[c], heap[p]) else { break }
                heap.swapAt(c, p)
                c = p
            }
            return
        }
        guard Self.worse(heap[0], item) else { return }
        heap[0] = item
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var m = p
            if l < heap.count && Self.worse(heap[l], heap[m]) { m = l }
            if r < heap.count && Self.worse(heap[r], heap[m]) { m = r }
            if m == p { break }
            heap.swapAt(p, m)
            p = m
        }
    }

    /// The kept (id, score) pairs, best first.
    public func sorted() -> [(id: Int32, score: Float)] {
        heap.sorted { Self.worse($1, $0) }.map { ($0.id, $0.score) }
    }

    /// The kept (id, score) pairs in no particular order (a candidate set needs no order).
    public func unordered() -> [(id: Int32, score: Float)] {
        heap.map { ($0.id, $0.score) }
    }

    /// The best `k` of `scores` by index, best first; −∞ marks an excluded entry.
    public static func best(_ k: Int, of scores: [Float]) -> [(id: Int32, score: Float)] {
        var top = TopK(k)
        for (i, s) in scores.enumerated() where s != -.infinity && s > top.threshold { top.offer(Int32(i), s) }
        return top.sorted()
    }
}
