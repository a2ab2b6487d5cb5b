import InterestCore

/// How often each pre-tokenized word occurs in a corpus: the trainers' input. Words are in the
/// model's input spelling (after normalization and pre-tokenization; byte-mapped for
/// byte-level pipelines), in a deterministic order (sorted by their UTF-8 bytes).
public struct WordCounts: Sendable {
    public private(set) var words: [[UInt8]]
    public private(set) var counts: [Int]

    public var total: Int { counts.reduce(0, +) }

    public init(words: [[UInt8]], counts: [Int]) {
        let order = words.indices.sorted { words[$0].lexicographicallyPrecedes(words[$1]) }
        self.words = order.map { words[$0] }
        self.counts = order.map { counts[$0] }
    }

    /// Counts the words of `lines` as `normalizer` and `preTokenizer` split them, on `threads`
    /// threads (each counts a contiguous share; the shares are merged).
    public static func count(_ lines: [String], normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?,
                             threads: Int = 2) -> WordCounts {
        var counter = WordCounter(normalizer: normalizer, preTokenizer: preTokenizer)
        counter.add(lines, threads: threads)
        return counter.counts()
    }
}

/// Counts words over text that arrives in batches (e.g. streamed from a database).
public struct WordCounter: Sendable {
    let normalizer: (any Normalizer)?
    let preTokenizer: (any PreTokenizer)?
    private var table = CountTable()
    public private(set) var texts = 0

    public init(normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
    }

    /// Counts one batch of texts on `threads` threads.
    public mutating func add(_ lines: [String], threads: Int = 2) {
        texts += lines.count
        let normalizer = self.normalizer
        let preTokenizer = self.preTokenizer
        let shares = parallelMap(Array(0..<max(1, threads)), threads: threads, makeState: { () }) { _, share -> [([UInt8], Int)] in
            let lo = share * lines.count / max(1, threads)
            let hi = (share + 1) * lines.count / max(1, threads)
            var table = CountTable()
            for k in lo..<hi {
                var text = NormalizedText(lines[k])
                normalizer?.normalize(&text)
                var pieces = [Piece(start: 0, end: text.bytes.count)]
                preTokenizer?.preTokenize(&text, &pieces)
                text.bytes.withUnsafeBufferPointer { b in
                    var mapped: [UInt8] = []
                    for p in pieces where p.end > p.start {
                        let word = UnsafeBufferPointer(rebasing: b[p.start..<p.end])
                        if p.byteLevel {
                            mapped.removeAll(keepingCapacity: true)
                            for x in word { appendUTF8(ByteLevel.byteToScalar[Int(x)], to: &mapped) }
                            mapped.withUnsafeBufferPointer { table.add($0, 1) }
                        } else {
                            table.add(word, 1)
                        }
                    }
                }
            }
            return table.entries()
        }
        for share in shares {
            for (w, c) in share { w.withUnsafeBufferPointer { table.add($0, c) } }
        }
    }

    /// The counts so far, in deterministic order.
    public func counts() -> WordCounts {
        let all = table.entries()
        return WordCounts(words: all.map(\.0), counts: all.map(\.1))
    }
}

/// A byte-keyed counting table (open addressing, stored hashes).
struct CountTable: Sendable {
    private var arena: [UInt8] = []
    private var keys: [(hash: UInt64, start: Int32, length: Int32)] = []
    private var values: [Int] = []
    private var slots = [Int32](repeating: -1, count: 1 << 14)
    private var mask = (1 << 14) - 1

    mutating func add(_ key: UnsafeBufferPointer<UInt8>, _ n: Int) {
        let h = fnv1a(key)
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] >= 0 {
            let e = Int(slots[s])
            let k = keys[e]
            if k.hash == h && Int(k.length) == key.count {
                var equal = true
                let st = Int(k.start)
                for j in 0..<key.count where arena[st + j] != key[j] {
                    equal = false
                    break
                }
                if equal {
                    values[e] += n
                    return
                }
            }
            s = (s + 1) & mask
        }
        slots[s] = Int32(keys.count)
        keys.append((h, Int32(arena.count), Int32(key.count)))
        arena.append(contentsOf: key)
        values.append(n)
        if keys.count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        let c = slots.count * 2
        slots = [Int32](repeating: -1, count: c)
        mask = c - 1
        for (e, k) in keys.enumerated() {
            var s = Int(truncatingIfNeeded: k.hash) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(e)
        }
    }

    func entries() -> [([UInt8], Int)] {
        keys.enumerated().map { e, k in (Array(arena[Int(k.start)..<Int(k.start + k.length)]), values[e]) }
    }
}
