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
/// In front sits a direct-mapped table of short words (up to 16 bytes and 3 tokens,
/// 32 bytes an entry, key and tokens inline), filled with words found a second time: the
/// commonest words (function words, punctuation, frequent Chinese words) are answered from
/// L1 without touching the main table.
///
/// All arrays live in manually managed memory owned by the session (`deallocate`).
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
    /// The front: per entry, 8 words of 32 bits: the key (two 64-bit halves, see
    /// `shortKey`), key length | token count << 8 (count 0: empty), three packed tokens.
    private let hot: UnsafeMutablePointer<UInt32>
    /// Entries in the front (a power of two): 1,024, or 128 for small caches (a session per text).
    private let hotEntries: Int

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
        hotEntries = maxEntries >= 1 << 16 ? 1024 : 128
        hot = .allocate(capacity: 8 * hotEntries)
        hot.initialize(repeating: 0, count: 8 * hotEntries)
    }

    func deallocate() {
        records.deallocate()
        slots.deallocate()
        stats.deallocate()
        hot.deallocate()
    }

    /// A word of at most 16 bytes as two 64-bit halves that, with its length, determine it
    /// (overlapping loads, never reading outside the word).
    @inline(__always) private static func shortKey(_ p: UnsafeRawPointer, _ n: Int) -> (UInt64, UInt64) {
        if n >= 8 { return (p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) }
        if n >= 4 {
            return (UInt64(p.loadUnaligned(as: UInt32.self)) | UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32, 0)
        }
        let b = p.assumingMemoryBound(to: UInt8.self)
        return (UInt64(b[0]) | UInt64(b[n / 2]) << 8 | UInt64(b[n - 1]) << 16, 0)
    }

    /// The front entry of a hash.
    @inline(__always) private func hotEntry(_ hash: UInt64) -> UnsafeMutablePointer<UInt32> {
        hot + 8 * (Int(truncatingIfNeeded: hash >> 40) & (hotEntries - 1))
    }

    /// Puts a short word's packed tokens in the front (replacing what was there).
    @inline(__always) private func promote(_ key: UnsafeRawPointer, _ n: Int, hash: UInt64, _ tokens: UnsafePointer<UInt32>, _ count: Int) {
        guard n <= 16 && count <= 3 else { return }
        let (k0, k1) = Self.shortKey(key, n)
        let e = hotEntry(hash)
        UnsafeMutableRawPointer(e).storeBytes(of: k0, as: UInt64.self)
        UnsafeMutableRawPointer(e + 2).storeBytes(of: k1, as: UInt64.self)
        e[4] = UInt32(n) | UInt32(count) << 8
        for t in 0..<count { e[5 + t] = tokens[t] }
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

    /// A cached word's packed tokens (`id << 8 | length`) and their count, or nil. The pointer
    /// is valid until the next insertion.
    @inline(__always)
    mutating func lookup(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (tokens: UnsafePointer<UInt32>, count: Int)? {
        let bucket = Self.bucket(key.count)
        guard let keyBase = key.baseAddress, bypassed & (1 << UInt64(bucket)) == 0, key.count <= maxKeyLength else { return nil }
        let n = key.count
        if n <= 16 {
            let (k0, k1) = Self.shortKey(UnsafeRawPointer(keyBase), n)
            let e = hotEntry(hash)
            let meta = e[4]
            if meta & 0xFF == UInt32(n) && UnsafeRawPointer(e).loadUnaligned(as: UInt64.self) == k0
                && UnsafeRawPointer(e + 2).loadUnaligned(as: UInt64.self) == k1 {
                note(bucket, hit: true)
                return (UnsafePointer(e + 5), Int(meta >> 8))
            }
        }
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
                if Int(header >> 16) == n && bytesEqual(UnsafeRawPointer(rec + at + 1), UnsafeRawPointer(keyBase), n) {
                    note(bucket, hit: true)
                    let tokens = UnsafePointer(rec + at + 1 + (n + 3) >> 2)
                    let count = Int(header & 0xFFFF)
                    promote(UnsafeRawPointer(keyBase), n, hash: hash, tokens, count)
                    return (tokens, count)
                }
            }
            s = (s + 1) & mask
        }
    }

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
