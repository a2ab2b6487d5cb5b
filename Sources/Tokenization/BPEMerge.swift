extension BPEEncoder {
    /// Applies merges to `n` symbols in place (leftmost lowest rank first, as HF does); returns
    /// how many symbols remain.
    @inline(__always)
    func merge(_ symbols: UnsafeMutableBufferPointer<ModelToken>, _ n: Int) -> Int {
        switch n {
        case 0, 1: n
        case 2: mergeTwo(symbols)
        case 3: mergeThree(symbols)
        case 4: mergeFour(symbols)
        case 5...64: mergeShort(symbols, n)
        default: mergeLong(symbols, n)
        }
    }

    /// Two symbols: one lookup.
    @inline(__always)
    private func mergeTwo(_ s: UnsafeMutableBufferPointer<ModelToken>) -> Int {
        let e = mergeTable.entry(s[0].id, s[1].id)
        guard e.rank != MergeTable.Entry.none.rank else { return 2 }
        s[0] = ModelToken(id: e.id, length: s[0].length + s[1].length)
        return 1
    }

    /// The merge of (a token with signature `signature`, `b`), ruling most out without the
    /// table.
    @inline(__always)
    private func pair(_ a: Int32, _ signature: UInt64, _ b: Int32) -> MergeTable.Entry {
        MergeTable.mayMerge(signature, b) ? mergeTable.probe(a, b) : .none
    }

    /// Three symbols (the commonest part of a Chinese clause), without buffers or loops.
    @inline(__always)
    private func mergeThree(_ s: UnsafeMutableBufferPointer<ModelToken>) -> Int {
        let signatureA = mergeTable.signature(s[0].id)
        let left = pair(s[0].id, signatureA, s[1].id)
        let right = pair(s[1].id, mergeTable.signature(s[1].id), s[2].id)
        return mergeThree(s, left, right, signatureA)
    }

    /// Three symbols whose two pairs' merges are known (`signatureA`: the first symbol's): the
    /// lower-ranked pair merges (the left one on a tie), then the new pair is looked up.
    @inline(__always)
    private func mergeThree(_ s: UnsafeMutableBufferPointer<ModelToken>, _ left: MergeTable.Entry, _ right: MergeTable.Entry,
                            _ signatureA: UInt64) -> Int {
        let none = MergeTable.Entry.none.rank
        let (a, b, c) = (s[0], s[1], s[2])
        if left.rank == none && right.rank == none { return 3 }
        if left.rank <= right.rank {
            let ab = ModelToken(id: left.id, length: a.length + b.length)
            let e = pair(ab.id, left.signature, c.id)
            if e.rank == none {
                s[0] = ab
                s[1] = c
                return 2
            }
            s[0] = ModelToken(id: e.id, length: ab.length + c.length)
            return 1
        }
        let bc = ModelToken(id: right.id, length: b.length + c.length)
        let e = pair(a.id, signatureA, bc.id)
        if e.rank == none {
            s[1] = bc
            return 2
        }
        s[0] = ModelToken(id: e.id, length: a.length + bc.length)
        return 1
    }

    /// Four symbols: the lowest-ranked of the three pairs merges (leftmost on ties), leaving
    /// three symbols, one of whose pairs is already known.
    @inline(__always)
    private func mergeFour(_ s: UnsafeMutableBufferPointer<ModelToken>) -> Int {
        let (a, b, c, d) = (s[0], s[1], s[2], s[3])
        let (signatureA, signatureB) = (mergeTable.signature(a.id), mergeTable.signature(b.id))
        let p0 = pair(a.id, signatureA, b.id)
        let p1 = pair(b.id, signatureB, c.id)
        let p2 = pair(c.id, mergeTable.signature(c.id), d.id)
        if p0.rank == MergeTable.Entry.none.rank && p1.rank == MergeTable.Entry.none.rank && p2.rank == MergeTable.Entry.none.rank {
            return 4
        }
        if p0.rank <= p1.rank && p0.rank <= p2.rank {
            let ab = ModelToken(id: p0.id, length: a.length + b.length)
            s[0] = ab
            s[1] = c
            s[2] = d
            return mergeThree(s, pair(ab.id, p0.signature, c.id), p2, p0.signature)
        }
        if p1.rank <= p2.rank {
            let bc = ModelToken(id: p1.id, length: b.length + c.length)
            s[1] = bc
            s[2] = d
            return mergeThree(s, pair(a.id, signatureA, bc.id), pair(bc.id, p1.signature, d.id), signatureA)
        }
        let cd = ModelToken(id: p2.id, length: c.length + d.length)
        s[2] = cd
        return mergeThree(s, p0, pair(b.id, signatureB, cd.id), signatureA)
    }

    /// Applies merges in rank order, leftmost first among equal ranks, to the `n` (at most 64)
    /// symbols; returns how many remain.
    ///
    /// Each symbol's merge signature and each adjacent pair's (rank, merged id) are kept in
    /// stack buffers; per round the lowest rank (leftmost on ties) is merged and only the two
    /// new pairs are looked up (most ruled out by the signature without touching the table).
    func mergeShort(_ sym: UnsafeMutableBufferPointer<ModelToken>, _ n: Int) -> Int {
        guard n > 1 else { return n }
        let table = mergeTable
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { sigs -> Int in
            withUnsafeTemporaryAllocation(of: MergeTable.Entry.self, capacity: n) { pairs -> Int in
                @inline(__always) func pair(_ k: Int) -> MergeTable.Entry {
                    MergeTable.mayMerge(sigs[k], sym[k + 1].id) ? table.probe(sym[k].id, sym[k + 1].id) : .none
                }
                for k in 0..<n { sigs[k] = table.signature(sym[k].id) }
                var m = n
                for k in 0..<(m - 1) { pairs[k] = pair(k) }
                while m > 1 {
                    var at = 0
                    var best = pairs[0].rank
                    var k = 1
                    while k < m - 1 {
                        if pairs[k].rank < best {
                            best = pairs[k].rank
                            at = k
                        }
                        k += 1
                    }
                    if best == MergeTable.Entry.none.rank { break }
                    let merged = pairs[at].id
                    sym[at] = ModelToken(id: merged, length: sym[at].length + sym[at + 1].length)
                    sigs[at] = pairs[at].signature
                    // Close the gap left by symbol at + 1 and pair at.
                    k = at + 1
                    while k < m - 1 {
                        sym[k] = sym[k + 1]
                        sigs[k] = sigs[k + 1]
                        k += 1
                    }
                    k = at
                    while k < m - 2 {
                        pairs[k] = pairs[k + 1]
                        k += 1
                    }
                    m -= 1
                    if at > 0 { pairs[at - 1] = pair(at - 1) }
                    if at < m - 1 { pairs[at] = pair(at) }
                }
                return m
            }
        }
    }

    /// `mergeShort` for many symbols: a min-heap of (rank, position) over a linked list.
    func mergeLong(_ sym: UnsafeMutableBufferPointer<ModelToken>, _ n: Int) -> Int {
        var symbols = Array(sym[..<n])
        var next = Array(1...n)
        next[n - 1] = -1
        var prev = Array(-1..<(n - 1))
        var alive = [Bool](repeating: true, count: n)
        var heap = MergeHeap()
        for k in 0..<(n - 1) {
            if let m = mergeTable.get(symbols[k].id, symbols[k + 1].id) { heap.push(rank: m.rank, position: k, id: m.id) }
        }
        while let top = heap.pop() {
            let k = top.position
            guard alive[k], next[k] >= 0 else { continue }
            let r = next[k]
            guard let m = mergeTable.get(symbols[k].id, symbols[r].id), m.id == top.id else { continue }
            symbols[k] = ModelToken(id: m.id, length: symbols[k].length + symbols[r].length)
            alive[r] = false
            next[k] = next[r]
            if next[r] >= 0 { prev[next[r]] = k }
            if prev[k] >= 0, let pm = mergeTable.get(symbols[prev[k]].id, symbols[k].id) {
                heap.push(rank: pm.rank, position: prev[k], id: pm.id)
            }
            if next[k] >= 0, let nm = mergeTable.get(symbols[k].id, symbols[next[k]].id) {
                heap.push(rank: nm.rank, position: k, id: nm.id)
            }
        }
        var m = 0
        for k in 0..<n where alive[k] {
            sym[m] = symbols[k]
            m += 1
        }
        return m
    }
}

/// A binary min-heap ordered by (rank, position).
struct MergeHeap {
    private var items: [(rank: Int32, position: Int, id: Int32)] = []

    mutating func push(rank: Int32, position: Int, id: Int32) {
        items.append((rank, position, id))
        var c = items.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard less(items[c], items[p]) else { break }
            items.swapAt(c, p)
            c = p
        }
    }

    mutating func pop() -> (rank: Int32, position: Int, id: Int32)? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < items.count && less(items[l], items[m]) { m = l }
                if r < items.count && less(items[r], items[m]) { m = r }
                if m == p { break }
                items.swapAt(p, m)
                p = m
            }
        }
        return first
    }

    @inline(__always)
    private func less(_ a: (rank: Int32, position: Int, id: Int32), _ b: (rank: Int32, position: Int, id: Int32)) -> Bool {
        a.rank != b.rank ? a.rank < b.rank : a.position < b.position
    }
}
