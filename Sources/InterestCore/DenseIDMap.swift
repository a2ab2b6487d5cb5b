/// Row id → position for ids that are mostly dense, as SQLite row ids are: a table indexed by id
/// answers a look-up with one array read instead of hashing — training passes make one or two
/// look-ups per event (~58 M at a million users), a one-shot `rank` ~0.8 M. Ids spread far apart
/// (largest id > 4 · count + 1024, or negative) keep a dictionary. Memory: 4 bytes per id up to
/// the largest.
public struct DenseIDMap: Sendable {
    private let table: [Int32]?
    private let sparse: [Int64: Int32]
    public let count: Int

    private init(table: [Int32]?, sparse: [Int64: Int32], count: Int) {
        self.table = table
        self.sparse = sparse
        self.count = count
    }

    /// Positions of `ids` (0, 1, …; the first occurrence of a repeated id wins).
    public init(_ ids: [Int64]) {
        count = ids.count
        let top = ids.max() ?? -1, low = ids.min() ?? 0
        if low >= 0, top <= Int64(4 * ids.count + 1024), ids.count < Int(Int32.max) {
            var t = [Int32](repeating: -1, count: Int(top) + 1)
            for (k, id) in ids.enumerated() where t[Int(id)] < 0 { t[Int(id)] = Int32(k) }
            table = t
            sparse = [:]
        } else {
            var d: [Int64: Int32] = [:]
            d.reserveCapacity(ids.count)
            for (k, id) in ids.enumerated() where d[id] == nil { d[id] = Int32(truncatingIfNeeded: k) }
            table = nil
            sparse = d
        }
    }

    /// From an id → position dictionary whose positions lie in 0..<count (others are dropped).
    public init(_ positions: [Int64: Int], count: Int) {
        var ids = [Int64](repeating: -1, count: max(0, count))
        for (id, p) in positions where p >= 0 && p < count && (ids[p] < 0 || id < ids[p]) { ids[p] = id }
        let known = ids.filter { $0 >= 0 }
        if known.count == ids.count {
            self.init(ids)
        } else {
            self.init(table: nil, sparse: positions.reduce(into: [:]) { d, e in if e.value >= 0 && e.value < count { d[e.key] = Int32(truncatingIfNeeded: e.value) } },
                      count: max(0, count))
        }
    }

    @inline(__always) public subscript(id: Int64) -> Int32? {
        if let table {
            guard id >= 0, id < Int64(table.count) else { return nil }
            let p = table[Int(id)]
            return p >= 0 ? p : nil
        }
        return sparse[id]
    }

    /// The distinct values of `ids`, ascending: a bitmap pass when they are dense non-negative
    /// row ids, else a set and a sort.
    public static func distinctSorted<IDs: Collection<Int64>>(_ ids: IDs) -> [Int64] {
        guard let top = ids.max(), let low = ids.min() else { return [] }
        guard low >= 0, top <= Int64(4 * ids.count + 1024) else { return Array(Set(ids)).sorted() }
        var seen = [Bool](repeating: false, count: Int(top) + 1)
        for id in ids { seen[Int(id)] = true }
        var out: [Int64] = []
        for (id, present) in seen.enumerated() where present { out.append(Int64(id)) }
        return out
    }
}
