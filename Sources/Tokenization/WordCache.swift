/// Words already tokenized in this session → their tokens, so each distinct word pays the model
/// once. Keys are raw bytes in one arena; open addressing with stored hashes; bounded size.
struct WordCache {
    private var arena: [UInt8] = []
    private var entries: [(hash: UInt64, keyStart: Int32, keyLength: Int32, tokenStart: Int32, tokenCount: Int32)] = []
    private var slots: [Int32]
    private var mask: Int
    private(set) var tokens: [ModelToken] = []
    let maxEntries: Int
    let maxKeyLength: Int

    init(maxEntries: Int = 1 << 20, maxKeyLength: Int = 256) {
        self.maxEntries = maxEntries
        self.maxKeyLength = maxKeyLength
        slots = [Int32](repeating: -1, count: 1 << 12)
        mask = (1 << 12) - 1
    }

    /// Token range of a cached word.
    @inline(__always)
    func lookup(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Range<Int>? {
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let e = slots[s]
            if e < 0 { return nil }
            let entry = entries[Int(e)]
            if entry.hash == hash && Int(entry.keyLength) == key.count {
                let st = Int(entry.keyStart)
                var equal = true
                for j in 0..<key.count where arena[st + j] != key[j] {
                    equal = false
                    break
                }
                if equal { return Int(entry.tokenStart)..<Int(entry.tokenStart + entry.tokenCount) }
            }
            s = (s + 1) & mask
        }
    }

    /// Caches a word's tokens (silently skipped when full or the word is long).
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, _ wordTokens: ArraySlice<ModelToken>) {
        guard key.count <= maxKeyLength, entries.count < maxEntries else { return }
        if (entries.count + 1) * 2 > slots.count { grow() }
        let index = Int32(entries.count)
        entries.append((hash, Int32(arena.count), Int32(key.count), Int32(tokens.count), Int32(wordTokens.count)))
        arena.append(contentsOf: key)
        tokens.append(contentsOf: wordTokens)
        var s = Int(truncatingIfNeeded: hash) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = index
    }

    private mutating func grow() {
        let c = slots.count * 2
        slots = [Int32](repeating: -1, count: c)
        mask = c - 1
        for (k, e) in entries.enumerated() {
            var s = Int(truncatingIfNeeded: e.hash) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(k)
        }
    }
}
