/// The BPE merge table, built for the hottest lookup in tokenization.
///
/// Most adjacent pairs looked up do not merge, so each token carries a 64-bit signature: bit
/// `rightBit(b)` is set for every merge `(token, b)`. A pair whose left signature lacks the
/// right token's bit cannot merge, which a caller holding the signature learns from register
/// arithmetic alone (about 85% of non-merging pairs of Chinese text are ruled out this way).
///
/// The rest go to open addressing over 8-byte slots, in one of two packings:
/// - compact (vocabularies under 65,535 tokens, under 65,535 merges): a slot holds the pair
///   (16 + 16 bits), the rank and the merged id (16 bits each), so a hit reads one slot;
/// - wide: the pair (21 + 21 bits) and the rank (22 bits), the merged id read by rank from a
///   second array.
/// Read-only after construction (hence shareable between threads); tables that fit neither
/// packing use a dictionary.
final class MergeTable: @unchecked Sendable {
    /// A pair's merge: its rank, the merged token and that token's signature (`none` when the
    /// pair does not merge).
    struct Entry {
        var rank: UInt32
        var id: Int32
        var signature: UInt64
        static let none = Entry(rank: .max, id: 0, signature: ~0)
    }

    private enum Packing { case compact, wide, dictionary }

    private let packing: Packing
    /// Two words a slot: the packed pair and merge, then the merged token's signature (read
    /// with the slot, so merging never waits for a signature).
    private let slots: UnsafeMutablePointer<UInt64>
    private let mask: Int
    /// Per token id (0..<signatureCount): the signature of its merges as the left token, then
    /// its joints (see `BPEEncoder.joints`), side by side so one cache line serves both.
    private let signatures: UnsafeMutablePointer<UInt64>
    private let signatureCount: Int
    private let mergedByRank: [Int32]
    private let dictionary: [UInt64: Entry]
    private static let empty = UInt64.max
    static let idLimit = 1 << 21
    static let rankLimit = (1 << 22) - 1

    /// `merges[rank] = (left, right, merged)` over ids `0..<vocabularySize`; a pair listed
    /// twice keeps its last rank. `joints` (by id, possibly empty) are kept beside the
    /// signatures.
    init(_ merges: [(Int32, Int32, Int32)], vocabularySize: Int, joints: [UInt64] = []) {
        // Load factor at most 0.5: a hit usually reads its first slot.
        var c = 16
        while c < merges.count * 2 { c <<= 1 }
        mask = c - 1
        slots = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * c)
        slots.initialize(repeating: Self.empty, count: 2 * c)
        let maxID = merges.reduce(Int32(vocabularySize - 1)) { max($0, $1.0, $1.1, $1.2) }
        let count = Int(max(maxID, 0)) + 1
        signatureCount = count
        signatures = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * count)
        signatures.initialize(repeating: 0, count: 2 * count)
        for m in merges where m.0 >= 0 { signatures[2 * Int(m.0)] |= 1 << Self.rightBit(m.1) }
        for (id, joint) in joints.enumerated() where id < count { signatures[2 * id + 1] = joint }
        let signatureOf = { [signatures] (id: Int32) -> UInt64 in id >= 0 && Int(id) < count ? signatures[2 * Int(id)] : ~0 }
        mergedByRank = merges.map(\.2)
        let nonNegative = merges.allSatisfy { $0.0 >= 0 && $0.1 >= 0 && $0.2 >= 0 }
        if nonNegative && merges.count < 0xFFFF && merges.allSatisfy({ $0.0 < 0xFFFF && $0.1 < 0xFFFF && $0.2 <= 0xFFFF }) {
            packing = .compact
            dictionary = [:]
            for (r, m) in merges.enumerated() {
                let key = UInt64(m.0) << 16 | UInt64(m.1)
                var s = Self.hash(key) & mask
                while slots[2 * s] != Self.empty && slots[2 * s] >> 32 != key { s = (s + 1) & mask }
                slots[2 * s] = key << 32 | UInt64(r) << 16 | UInt64(m.2)
                slots[2 * s + 1] = signatureOf(m.2)
            }
        } else if nonNegative && merges.count < Self.rankLimit && merges.allSatisfy({ Int($0.0) < Self.idLimit && Int($0.1) < Self.idLimit }) {
            packing = .wide
            dictionary = [:]
            for (r, m) in merges.enumerated() {
                let key = UInt64(m.0) << 21 | UInt64(m.1)
                var s = Self.hash(key) & mask
                while slots[2 * s] != Self.empty && slots[2 * s] >> 22 != key { s = (s + 1) & mask }
                slots[2 * s] = key << 22 | UInt64(r)
                slots[2 * s + 1] = signatureOf(m.2)
            }
        } else {
            packing = .dictionary
            var d: [UInt64: Entry] = [:]
            for (r, m) in merges.enumerated() {
                d[UInt64(UInt32(bitPattern: m.0)) << 32 | UInt64(UInt32(bitPattern: m.1))] = Entry(rank: UInt32(r), id: m.2, signature: signatureOf(m.2))
            }
            dictionary = d
        }
    }

    deinit {
        slots.deallocate()
        signatures.deallocate()
    }

    @inline(__always) private static func hash(_ k: UInt64) -> Int {
        var x = k &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29
        return Int(truncatingIfNeeded: x)
    }

    /// The signature bit of a right token.
    @inline(__always) static func rightBit(_ b: Int32) -> UInt64 {
        UInt64((UInt32(bitPattern: b) &* 0x9E37_79B1) >> 26)
    }

    /// The signature of a token as the left of a pair (all ones for ids out of range, so
    /// nothing is ruled out).
    @inline(__always) func signature(_ a: Int32) -> UInt64 {
        a >= 0 && Int(a) < signatureCount ? signatures[2 * Int(a)] : ~0
    }

    /// The joints of a token (all ones for ids out of range, so no cut is made).
    @inline(__always) func joints(_ a: Int32) -> UInt64 {
        a >= 0 && Int(a) < signatureCount ? signatures[2 * Int(a) + 1] : ~0
    }

    /// False when the pair (left token with `signature`, `b`) certainly does not merge.
    @inline(__always) static func mayMerge(_ signature: UInt64, _ b: Int32) -> Bool {
        (signature >> rightBit(b)) & 1 != 0
    }

    /// The merge of the pair (`Entry.none` when it does not merge).
    @inline(__always) func entry(_ a: Int32, _ b: Int32) -> Entry {
        Self.mayMerge(signature(a), b) ? probe(a, b) : .none
    }

    /// The merge of the pair, from the table itself.
    @inline(__always) func probe(_ a: Int32, _ b: Int32) -> Entry {
        switch packing {
        case .compact:
            guard a >= 0 && b >= 0 && a < 0xFFFF && b < 0xFFFF else { return .none }
            let key = UInt64(a) << 16 | UInt64(b)
            var s = Self.hash(key) & mask
            while true {
                let v = slots[2 * s]
                if v >> 32 == key {
                    return Entry(rank: UInt32(truncatingIfNeeded: v >> 16) & 0xFFFF, id: Int32(truncatingIfNeeded: v & 0xFFFF),
                                 signature: slots[2 * s + 1])
                }
                if v == Self.empty { return .none }
                s = (s + 1) & mask
            }
        case .wide:
            guard a >= 0 && b >= 0 && Int(a) < Self.idLimit && Int(b) < Self.idLimit else { return .none }
            let key = UInt64(a) << 21 | UInt64(b)
            var s = Self.hash(key) & mask
            while true {
                let v = slots[2 * s]
                if v == Self.empty { return .none }
                if v >> 22 == key {
                    let r = Int(v & 0x3F_FFFF)
                    return Entry(rank: UInt32(r), id: mergedByRank[r], signature: slots[2 * s + 1])
                }
                s = (s + 1) & mask
            }
        case .dictionary:
            return dictionary[UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))] ?? .none
        }
    }

    /// (rank, merged id) of the pair, or nil.
    @inline(__always) func get(_ a: Int32, _ b: Int32) -> (rank: Int32, id: Int32)? {
        let e = entry(a, b)
        return e.rank == Entry.none.rank ? nil : (Int32(e.rank), e.id)
    }
}
