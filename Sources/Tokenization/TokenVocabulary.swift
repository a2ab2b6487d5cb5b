/// A token ↔ id table. Lookups by raw UTF-8 bytes need no `String`: keys live in one byte
/// arena and an open-addressing table indexes them (FNV-1a hashes, linear probing).
///
/// - Complexity: lookups O(key length) expected.
public final class TokenVocabulary: Sendable {
    /// Token strings by id (ids are 0..<count; a gap in a file's ids is an error).
    public let tokens: [String]
    private let arena: [UInt8]
    private let keyStart: [Int32]
    private let keyLength: [Int32]
    /// Slot → id + 1 (0 = empty).
    private let slots: [Int32]
    private let mask: Int

    public var count: Int { tokens.count }

    /// Builds the table; `tokens[i]` gets id `i`. Duplicate tokens keep their first id.
    public init(tokens: [String]) {
        self.tokens = tokens
        var arena: [UInt8] = []
        var starts: [Int32] = []
        var lengths: [Int32] = []
        arena.reserveCapacity(tokens.reduce(0) { $0 + $1.utf8.count })
        for t in tokens {
            starts.append(Int32(arena.count))
            arena.append(contentsOf: t.utf8)
            lengths.append(Int32(t.utf8.count))
        }
        var capacity = 16
        while capacity < tokens.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        arena.withUnsafeBufferPointer { a in
            for id in tokens.indices {
                let key = UnsafeBufferPointer(rebasing: a[Int(starts[id])..<Int(starts[id] + lengths[id])])
                var s = Int(truncatingIfNeeded: fnv1a(key)) & mask
                var duplicate = false
                while slots[s] != 0 {
                    let other = Int(slots[s] - 1)
                    if lengths[other] == lengths[id] && a[Int(starts[other])..<Int(starts[other] + lengths[other])].elementsEqual(key) {
                        duplicate = true
                        break
                    }
                    s = (s + 1) & mask
                }
                if !duplicate { slots[s] = Int32(id + 1) }
            }
        }
        self.arena = arena
        self.keyStart = starts
        self.keyLength = lengths
        self.slots = slots
        self.mask = mask
    }

    /// The id of the token spelled by `key`, or nil.
    @inline(__always)
    public func id(of key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var s = Int(truncatingIfNeeded: fnv1a(key)) & mask
        return arena.withUnsafeBufferPointer { a -> Int32? in
            slots.withUnsafeBufferPointer { sl -> Int32? in
                while true {
                    let v = sl[s]
                    if v == 0 { return nil }
                    let id = Int(v - 1)
                    let len = Int(keyLength[id])
                    if len == key.count {
                        let st = Int(keyStart[id])
                        var equal = true
                        for j in 0..<len where a[st + j] != key[j] {
                            equal = false
                            break
                        }
                        if equal { return Int32(id) }
                    }
                    s = (s + 1) & mask
                }
            }
        }
    }

    /// The id of the token spelled by the bytes of token `a` then those of token `b`, or nil.
    func id(concatenating a: Int32, _ b: Int32) -> Int32? {
        guard a >= 0, b >= 0, Int(a) < count, Int(b) < count else { return nil }
        let (sa, la, sb, lb) = (Int(keyStart[Int(a)]), Int(keyLength[Int(a)]), Int(keyStart[Int(b)]), Int(keyLength[Int(b)]))
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: la + lb) { key in
            arena.withUnsafeBufferPointer { ar in
                for j in 0..<la { key[j] = ar[sa + j] }
                for j in 0..<lb { key[la + j] = ar[sb + j] }
            }
            return id(of: UnsafeBufferPointer(key))
        }
    }

    /// The id of the token spelled by the first (or `last`) character — Unicode scalar — of
    /// token `id`, or nil (an empty token, or no such token).
    func characterID(of id: Int32, last: Bool) -> Int32? {
        guard id >= 0, Int(id) < count, keyLength[Int(id)] > 0 else { return nil }
        let start = Int(keyStart[Int(id)]), end = start + Int(keyLength[Int(id)])
        return arena.withUnsafeBufferPointer { ar -> Int32? in
            // UTF-8: a scalar starts at a byte that is not a continuation byte (10xxxxxx).
            var lo = start, hi = start + 1
            if last {
                lo = end - 1
                while lo > start, ar[lo] & 0xC0 == 0x80 { lo -= 1 }
                hi = end
            } else {
                while hi < end, ar[hi] & 0xC0 == 0x80 { hi += 1 }
            }
            return self.id(of: UnsafeBufferPointer(rebasing: ar[lo..<hi]))
        }
    }

    /// The id of `token`, or nil.
    public func id(of token: String) -> Int32? {
        var t = token
        return t.withUTF8 { id(of: $0) }
    }

    /// The token of `id`, or nil when out of range.
    public func token(of id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }
}

/// FNV-1a, 64-bit.
@inline(__always)
func fnv1a(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in key {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h ^ (h >> 29)
}

/// An open-addressing map from 64-bit keys to 64-bit values (BPE merges, trie edges).
struct IntMap: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private var used: [Bool]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        keys = [UInt64](repeating: 0, count: c)
        values = [UInt64](repeating: 0, count: c)
        used = [Bool](repeating: false, count: c)
        mask = c - 1
    }

    @inline(__always) private static func hash(_ k: UInt64) -> Int {
        var x = k &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 32
        return Int(truncatingIfNeeded: x)
    }

    @inline(__always) func get(_ k: UInt64) -> UInt64? {
        var s = Self.hash(k) & mask
        while used[s] {
            if keys[s] == k { return values[s] }
            s = (s + 1) & mask
        }
        return nil
    }

    /// Inserts or replaces.
    mutating func set(_ k: UInt64, _ v: UInt64) {
        if (count + 1) * 2 > keys.count { grow() }
        var s = Self.hash(k) & mask
        while used[s] {
            if keys[s] == k {
                values[s] = v
                return
            }
            s = (s + 1) & mask
        }
        used[s] = true
        keys[s] = k
        values[s] = v
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values, oldUsed = used
        let c = keys.count * 2
        keys = [UInt64](repeating: 0, count: c)
        values = [UInt64](repeating: 0, count: c)
        used = [Bool](repeating: false, count: c)
        mask = c - 1
        count = 0
        for i in oldKeys.indices where oldUsed[i] { set(oldKeys[i], oldValues[i]) }
    }
}
