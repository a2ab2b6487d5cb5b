/// Words already tokenized in this session → their tokens, so each distinct word pays the model
/// once; bounded size.
///
/// Laid out for few cache misses per lookup: one slot array (8 bytes a slot: 32 bits of the
/// word's hash and the record's position) and one record array, where a word's key and tokens
/// sit together. A record is 32-bit words: a header (key length << 16 | token count), the key's
/// bytes (padded to whole words), then the tokens packed as `id << 8 | length`.
///
/// Words of a length that rarely repeats (long CJK clauses) are not worth a lookup and a
/// store: per length (4-byte buckets), once the first `sampleSize` lookups hit less than one
/// time in eight, words of that length bypass the cache for the rest of the session.
///
/// Both arrays live in manually managed memory owned by the session (`deallocate`).
struct WordCache {
    private var records = RawBuffer<UInt32>(capacity: 1 << 12)
    /// hash (low 32 bits) << 32 | record position + 1; 0 = empty.
    private var slots: UnsafeMutablePointer<UInt64>
    private var mask: Int
    private(set) var count = 0
    let maxEntries: Int
    /// Longest cached word in bytes (at most 255, so a token's length fits its byte).
    let maxKeyLength: Int
    /// Lookups and hits per length bucket (`2 * bucket`, `2 * bucket + 1`).
    private var stats = RawBuffer<UInt32>(capacity: 128)
    /// Bit per length bucket: words of that length bypass the cache.
    private var bypassed: UInt64 = 0
    static let sampleSize: UInt32 = 1024

    init(maxEntries: Int = 1 << 20, maxKeyLength: Int = 255) {
        self.maxEntries = maxEntries
        self.maxKeyLength = min(maxKeyLength, 255)
        // Large caches start large enough to skip the first rehashes; small ones (a session per
        // text) stay cheap to create.
        let initial = maxEntries >= 1 << 16 ? 1 << 14 : 1 << 11
        slots = .allocate(capacity: initial)
        slots.initialize(repeating: 0, count: initial)
        mask = initial - 1
        stats.base.initialize(repeating: 0, count: 128)
        stats.count = 128
    }

    func deallocate() {
        records.deallocate()
        slots.deallocate()
        stats.deallocate()
    }

    /// Whether words of `length` bytes bypass the cache (not worth hashing for it).
    @inline(__always) func bypasses(_ length: Int) -> Bool {
        length > maxKeyLength || bypassed & (1 << UInt64(Self.bucket(length))) != 0
    }

    /// The length bucket of a word.
    @inline(__always) private static func bucket(_ length: Int) -> Int { min(length >> 2, 63) }

    /// Counts a lookup; stops using the cache for a length whose sample hits too rarely.
    @inline(__always) private mutating func note(_ bucket: Int, hit: Bool) {
        let k = 2 * bucket
        let n = stats[k] &+ 1
        stats[k] = n
        if hit { stats[k + 1] &+= 1 }
        if n == Self.sampleSize && stats[k + 1] * 8 < n { bypassed |= 1 << UInt64(bucket) }
    }

    /// The position in `records` of a cached word's tokens and their count, or nil.
    @inline(__always)
    mutating func lookup(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (start: Int, count: Int)? {
        let bucket = Self.bucket(key.count)
        guard let keyBase = key.baseAddress, bypassed & (1 << UInt64(bucket)) == 0, key.count <= maxKeyLength else { return nil }
        let tag = hash & 0xFFFF_FFFF
        let rec = records.base
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let v = slots[s]
            if v == 0 {
                note(bucket, hit: false)
                return nil
            }
            if v >> 32 == tag {
                let at = Int(truncatingIfNeeded: v & 0xFFFF_FFFF) - 1
                let header = rec[at]
                if Int(header >> 16) == key.count && bytesEqual(UnsafeRawPointer(rec + at + 1), UnsafeRawPointer(keyBase), key.count) {
                    note(bucket, hit: true)
                    return (at + 1 + (key.count + 3) >> 2, Int(header & 0xFFFF))
                }
            }
            s = (s + 1) & mask
        }
    }

    /// The packed token (`id << 8 | length`) at position `k` of a range from `lookup`.
    @inline(__always)
    func packedToken(_ k: Int) -> UInt32 { records[k] }

    /// Caches a word's tokens (silently skipped when full, when the word is long, or when a
    /// token does not pack).
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, _ tokens: UnsafeBufferPointer<ModelToken>) {
        guard let keyBase = key.baseAddress, !key.isEmpty, key.count <= maxKeyLength, count < maxEntries, tokens.count <= 0xFFFF,
              bypassed & (1 << UInt64(Self.bucket(key.count))) == 0 else { return }
        for t in tokens where t.id < 0 || t.id >= 1 << 24 || t.length < 0 || t.length > 255 { return }
        if (count + 1) * 2 > mask + 1 { grow() }
        let keyWords = (key.count + 3) >> 2
        records.reserve(1 + keyWords + tokens.count)
        let at = records.count
        let p = records.base + at
        p[0] = UInt32(key.count) << 16 | UInt32(tokens.count)
        UnsafeMutableRawPointer(p + 1).copyMemory(from: keyBase, byteCount: key.count)
        for (k, t) in tokens.enumerated() { p[1 + keyWords + k] = UInt32(t.id) << 8 | UInt32(t.length) }
        records.count += 1 + keyWords + tokens.count
        var s = Int(truncatingIfNeeded: hash) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = (hash & 0xFFFF_FFFF) << 32 | UInt64(at + 1)
        count += 1
    }

    private mutating func grow() {
        let old = slots
        let oldCount = mask + 1
        let c = oldCount * 2
        slots = .allocate(capacity: c)
        slots.initialize(repeating: 0, count: c)
        mask = c - 1
        for i in 0..<oldCount where old[i] != 0 {
            var s = Int(truncatingIfNeeded: old[i] >> 32) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = old[i]
        }
        old.deallocate()
    }
}

/// A fast 64-bit hash of short byte strings (8 bytes a step, overlapping loads for the tail; a
/// multiply-fold finish), for the word cache.
@inline(__always)
func wordHash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    guard let p = key.baseAddress.map(UnsafeRawPointer.init) else { return 0 }
    let n = key.count
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
    if n >= 8 {
        var i = 0
        while i + 8 < n {
            h = mix(h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        h = mix(h ^ p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
    } else if n >= 4 {
        let a = UInt64(p.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let b = UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
        h = mix(h ^ (a << 32 | b))
    } else {
        let a = UInt64(p.load(fromByteOffset: 0, as: UInt8.self))
        let b = UInt64(p.load(fromByteOffset: n / 2, as: UInt8.self))
        let c = UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
        h = mix(h ^ (a << 16 | b << 8 | c))
    }
    return h ^ (h >> 32)
}

/// One multiply-fold round (the 128-bit product's halves, xored).
@inline(__always)
private func mix(_ x: UInt64) -> UInt64 {
    let (hi, lo) = x.multipliedFullWidth(by: 0xA076_1D64_78BD_642F)
    return hi ^ lo
}

/// Whether `n` bytes at `a` and `b` are equal (8 bytes a step).
@inline(__always)
func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}
