/// Settings of a BPE (or WordPiece) training run, as in HF's `BpeTrainer`.
public struct BPETrainerConfiguration: Sendable, Equatable {
    public var vocabularySize: Int
    /// Pairs seen fewer times are never merged.
    public var minFrequency: Int
    /// Added first, in this order (ids 0…).
    public var specialTokens: [String]
    /// Keep only the most frequent characters (nil: all).
    public var limitAlphabet: Int?
    /// Characters always in the alphabet.
    public var initialAlphabet: [Character]
    public var continuingSubwordPrefix: String?
    public var endOfWordSuffix: String?
    /// Longest token, in characters (nil: unlimited).
    public var maxTokenLength: Int?

    public init(vocabularySize: Int = 30_000, minFrequency: Int = 0, specialTokens: [String] = [], limitAlphabet: Int? = nil,
                initialAlphabet: [Character] = [], continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil,
                maxTokenLength: Int? = nil) {
        self.vocabularySize = vocabularySize
        self.minFrequency = minFrequency
        self.specialTokens = specialTokens
        self.limitAlphabet = limitAlphabet
        self.initialAlphabet = initialAlphabet
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.maxTokenLength = maxTokenLength
    }
}

/// What training produced: the vocabulary (ids = positions) and the merges in rank order.
public struct TrainedBPE: Sendable {
    public let vocabulary: [String]
    public let merges: [(String, String)]
}

/// Learns BPE merges (Sennrich et al. 2016) the way HF `tokenizers` does: special tokens, then
/// the alphabet sorted by code point, then merges of the most frequent adjacent pair (ties: the
/// smaller pair of ids). Pair counts are kept incrementally with a priority queue: each merge
/// touches only the words that contain the pair, never a full recount.
///
/// Deterministic where HF depends on hash order: words are processed in byte order, alphabet
/// ties under `limitAlphabet` drop the higher code point first, and equal queue entries pop in
/// insertion order.
///
/// - Complexity: O(total symbols) to count pairs, then per merge O(occurrences of the pair).
public struct BPETrainer: Sendable {
    public let configuration: BPETrainerConfiguration

    public init(_ configuration: BPETrainerConfiguration) throws(TokenizationError) {
        guard configuration.vocabularySize >= 1 else {
            throw .invalidSetting(name: "vocabulary size", reason: "must be at least 1, got \(configuration.vocabularySize)")
        }
        guard configuration.minFrequency >= 0 else {
            throw .invalidSetting(name: "minimum frequency", reason: "must not be negative")
        }
        if let l = configuration.limitAlphabet, l < 0 { throw .invalidSetting(name: "alphabet limit", reason: "must not be negative") }
        self.configuration = configuration
    }

    public func train(_ counts: WordCounts) -> TrainedBPE {
        let cfg = configuration
        var vocab: [String] = []
        var index: [String: Int32] = [:]
        func add(_ s: String) -> Int32 {
            if let id = index[s] { return id }
            let id = Int32(vocab.count)
            vocab.append(s)
            index[s] = id
            return id
        }
        for s in cfg.specialTokens { _ = add(s) }

        // Alphabet.
        let words = counts.words.map { String(decoding: $0, as: UTF8.self) }
        var alphabet: [Character: Int] = [:]
        for (w, c) in zip(words, counts.counts) {
            for ch in w.unicodeScalars.map(Character.init) { alphabet[ch, default: 0] += c }
        }
        for ch in cfg.initialAlphabet { alphabet[ch] = Int.max }
        var kept = alphabet.map { ($0.key, $0.value) }
        if let limit = cfg.limitAlphabet, kept.count > limit {
            kept.sort { a, b in a.1 != b.1 ? a.1 < b.1 : scalar(a.0) > scalar(b.0) }
            kept.removeFirst(kept.count - limit)
        }
        kept.sort { scalar($0.0) < scalar($1.0) }
        for (ch, _) in kept { _ = add(String(ch)) }

        // Words as symbol ids (characters outside the alphabet are dropped, as in HF).
        var symbols: [[Int32]] = []
        var lengths: [[Int32]] = []
        symbols.reserveCapacity(words.count)
        for w in words {
            let chars = w.unicodeScalars.map { String(Character($0)) }
            var ids: [Int32] = []
            for (k, c) in chars.enumerated() where index[c] != nil {
                var s = c
                if k > 0, let p = cfg.continuingSubwordPrefix { s = p + s }
                if k == chars.count - 1, let x = cfg.endOfWordSuffix { s += x }
                ids.append(add(s))
            }
            symbols.append(ids)
            lengths.append([Int32](repeating: 1, count: ids.count))
        }
        let wordCounts = counts.counts

        // Pair counts and where each pair occurs.
        var pairCounts: [UInt64: Int] = [:]
        var whereToUpdate: [UInt64: [Int32]] = [:]
        for (i, w) in symbols.enumerated() where w.count > 1 {
            for k in 0..<(w.count - 1) {
                let p = pairKey(w[k], w[k + 1])
                pairCounts[p, default: 0] += wordCounts[i]
                whereToUpdate[p, default: []].append(Int32(i))
            }
        }
        var queue = PairQueue()
        for p in whereToUpdate.keys.sorted() {
            if let c = pairCounts[p], c > 0, let pos = whereToUpdate[p] { queue.push(count: c, pair: p, positions: unique(pos)) }
        }
        whereToUpdate.removeAll()

        var merges: [(Int32, Int32, Int32)] = []
        let maxLength = Int32(cfg.maxTokenLength ?? Int(Int32.max))
        while vocab.count < cfg.vocabularySize, var top = queue.pop() {
            let current = pairCounts[top.pair] ?? 0
            if top.count != current {
                top.count = current
                queue.push(count: current, pair: top.pair, positions: top.positions)
                continue
            }
            if top.count < 1 || cfg.minFrequency > top.count { break }
            let a = Int32(truncatingIfNeeded: top.pair >> 32)
            let b = Int32(truncatingIfNeeded: top.pair & 0xFFFF_FFFF)
            var right = vocab[Int(b)]
            if let p = cfg.continuingSubwordPrefix, right.hasPrefix(p) { right = String(right.dropFirst(p.count)) }
            let newID = add(vocab[Int(a)] + right)
            merges.append((a, b, newID))
            for wi in top.positions {
                let i = Int(wi)
                mergeWord(&symbols[i], &lengths[i], a, b, newID, maxLength) { pair, change in
                    pairCounts[pair, default: 0] += change * wordCounts[i]
                    if change > 0 { whereToUpdate[pair, default: []].append(wi) }
                }
            }
            for p in whereToUpdate.keys.sorted() {
                if let c = pairCounts[p], c > 0, let pos = whereToUpdate[p] { queue.push(count: c, pair: p, positions: unique(pos)) }
            }
            whereToUpdate.removeAll(keepingCapacity: true)
        }

        // A pair merged twice keeps its last rank, as HF's merge map does.
        var lastRank: [UInt64: Int] = [:]
        for (r, m) in merges.enumerated() { lastRank[pairKey(m.0, m.1)] = r }
        let ordered = merges.enumerated().filter { lastRank[pairKey($0.element.0, $0.element.1)] == $0.offset }
        return TrainedBPE(vocabulary: vocab, merges: ordered.map { (vocab[Int($0.element.0)], vocab[Int($0.element.1)]) })
    }

    /// Merges every non-overlapping (a, b) in a word, left to right, reporting pair changes
    /// the way HF's `Word::merge` does (the merged pair itself is not reported).
    private func mergeWord(_ w: inout [Int32], _ len: inout [Int32], _ a: Int32, _ b: Int32, _ newID: Int32, _ maxLength: Int32,
                           _ change: (UInt64, Int) -> Void) {
        var i = 0
        while i < w.count {
            if w[i] == a && i + 1 < w.count && w[i + 1] == b {
                let newLength = len[i] + len[i + 1]
                if i > 0 {
                    change(pairKey(w[i - 1], a), -1)
                    if len[i - 1] + newLength < maxLength { change(pairKey(w[i - 1], newID), 1) }
                }
                w[i] = newID
                len[i] = newLength
                w.remove(at: i + 1)
                len.remove(at: i + 1)
                if i < w.count - 1 {
                    change(pairKey(b, w[i + 1]), -1)
                    if len[i + 1] + newLength < maxLength { change(pairKey(newID, w[i + 1]), 1) }
                }
            }
            i += 1
        }
    }
}

@inline(__always) private func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
private func scalar(_ c: Character) -> UInt32 { c.unicodeScalars.first?.value ?? 0 }
private func unique(_ xs: [Int32]) -> [Int32] {
    var s = xs.sorted()
    var w = 0
    for r in s.indices where r == 0 || s[r] != s[r - 1] {
        s[w] = s[r]
        w += 1
    }
    s.removeSubrange(w...)
    return s
}

/// Max-heap of (count, pair): highest count first, then the smaller pair, then insertion order.
struct PairQueue {
    struct Entry {
        var count: Int
        var pair: UInt64
        var sequence: Int
        var positions: [Int32]
    }
    private var items: [Entry] = []
    private var sequence = 0

    mutating func push(count: Int, pair: UInt64, positions: [Int32]) {
        items.append(Entry(count: count, pair: pair, sequence: sequence, positions: positions))
        sequence += 1
        var c = items.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard before(items[c], items[p]) else { break }
            items.swapAt(c, p)
            c = p
        }
    }

    mutating func pop() -> Entry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var m = p
            if l < items.count && before(items[l], items[m]) { m = l }
            if r < items.count && before(items[r], items[m]) { m = r }
            if m == p { break }
            items.swapAt(p, m)
            p = m
        }
        return top
    }

    @inline(__always) private func before(_ x: Entry, _ y: Entry) -> Bool {
        if x.count != y.count { return x.count > y.count }
        if x.pair != y.pair { return x.pair < y.pair }
        return x.sequence < y.sequence
    }
}
