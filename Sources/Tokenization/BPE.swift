/// Byte-pair encoding (Sennrich et al. 2016): a word starts as its characters and the
/// lowest-ranked merge among adjacent symbols is applied until none applies (leftmost first on
/// ties), as HF `tokenizers` does. Supports `continuingSubwordPrefix`, `endOfWordSuffix`, an
/// unknown token (optionally fused), byte fallback (`<0xAB>` tokens) and `ignoreMerges`.
public struct BPE: TokenizationModel {
    public let vocabulary: TokenVocabulary
    /// Merges in rank order (rank = index).
    public let merges: [(String, String)]
    public let unknownToken: String?
    public let continuingSubwordPrefix: String?
    public let endOfWordSuffix: String?
    public let fuseUnknown: Bool
    public let byteFallback: Bool
    public let ignoreMerges: Bool
    private let mergeTable: MergeTable
    private let unknownID: Int32?
    private let byteTokens: [Int32]?
    private let prefixBytes: [UInt8]?
    private let suffixBytes: [UInt8]?
    /// Id of each BMP character's own token (-1: none), so undecorated characters need no
    /// hashing.
    private let singleCharacterIDs: [Int32]

    public init(vocabulary: TokenVocabulary, merges: [(String, String)], unknownToken: String? = nil,
                continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil, fuseUnknown: Bool = false,
                byteFallback: Bool = false, ignoreMerges: Bool = false) throws(TokenizationError) {
        var triples: [(Int32, Int32, Int32)] = []
        triples.reserveCapacity(merges.count)
        let prefixLength = continuingSubwordPrefix?.utf8.count ?? 0
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = vocabulary.id(of: a), let ib = vocabulary.id(of: b) else {
                throw .invalidVocabulary(reason: "merge \(rank) ('\(a)' '\(b)') names a token that is not in the vocabulary")
            }
            var right = b
            if let p = continuingSubwordPrefix, b.hasPrefix(p) {
                right = String(decoding: Array(b.utf8)[prefixLength...], as: UTF8.self)
            }
            guard let merged = vocabulary.id(of: a + right) else {
                throw .invalidVocabulary(reason: "merge \(rank) ('\(a)' '\(b)') makes '\(a + right)', which is not in the vocabulary")
            }
            triples.append((ia, ib, merged))
        }
        if let u = unknownToken, vocabulary.id(of: u) == nil {
            throw .invalidVocabulary(reason: "the unknown token '\(u)' is not in the vocabulary")
        }
        self.vocabulary = vocabulary
        self.merges = merges
        self.unknownToken = unknownToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.fuseUnknown = fuseUnknown
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        mergeTable = MergeTable(triples)
        unknownID = unknownToken.flatMap { vocabulary.id(of: $0) }
        prefixBytes = continuingSubwordPrefix.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        suffixBytes = endOfWordSuffix.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        var single = [Int32](repeating: -1, count: 0x10000)
        for (id, token) in vocabulary.tokens.enumerated() {
            let scalars = token.unicodeScalars
            if scalars.count == 1, let cp = scalars.first?.value, cp < 0x10000, single[Int(cp)] < 0 { single[Int(cp)] = Int32(id) }
        }
        singleCharacterIDs = single
        if byteFallback {
            var ids: [Int32] = []
            for b in 0..<256 {
                let hex = String(b, radix: 16, uppercase: true)
                guard let id = vocabulary.id(of: "<0x" + (hex.count == 1 ? "0" : "") + hex + ">") else {
                    ids = []
                    break
                }
                ids.append(id)
            }
            byteTokens = ids.count == 256 ? ids : nil
        } else {
            byteTokens = nil
        }
    }

    /// The rank and merged id of the pair, if it merges.
    @inline(__always)
    func merge(_ a: Int32, _ b: Int32) -> (rank: Int32, id: Int32)? {
        mergeTable.get(a, b)
    }

    public func tokenize(_ word: UnsafeBufferPointer<UInt8>, into out: inout [ModelToken], workspace: inout ModelWorkspace) {
        guard !word.isEmpty else { return }
        if ignoreMerges, let id = vocabulary.id(of: word) {
            out.append(ModelToken(id: id, length: Int32(word.count)))
            return
        }
        workspace.symbols.removeAll(keepingCapacity: true)
        var pendingUnknown: ModelToken?
        var i = 0
        while i < word.count {
            let len = utf8Length(word[i])
            let end = min(i + len, word.count)
            let id = symbolID(word, i, end, &workspace.bytes)
            if let id {
                if let u = pendingUnknown {
                    workspace.symbols.append(u)
                    pendingUnknown = nil
                }
                workspace.symbols.append(ModelToken(id: id, length: Int32(end - i)))
            } else if let bytes = byteTokens {
                if let u = pendingUnknown {
                    workspace.symbols.append(u)
                    pendingUnknown = nil
                }
                for k in i..<end { workspace.symbols.append(ModelToken(id: bytes[Int(word[k])], length: 1)) }
            } else if let unk = unknownID {
                if var u = pendingUnknown, fuseUnknown {
                    u.length += Int32(end - i)
                    pendingUnknown = u
                } else {
                    if let u = pendingUnknown { workspace.symbols.append(u) }
                    pendingUnknown = ModelToken(id: unk, length: Int32(end - i))
                }
            }
            i = end
        }
        if let u = pendingUnknown { workspace.symbols.append(u) }
        applyMerges(&workspace)
        out.append(contentsOf: workspace.symbols)
    }

    /// The id of the initial symbol for the character at `i..<end` (with the continuation
    /// prefix when not first, the end-of-word suffix when last).
    @inline(__always)
    private func symbolID(_ word: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int, _ scratch: inout [UInt8]) -> Int32? {
        let decorated = (i > 0 && prefixBytes != nil) || (end == word.count && suffixBytes != nil)
        if !decorated {
            let (cp, _) = decodeScalar(word, i)
            if cp < 0x10000 {
                let id = singleCharacterIDs[Int(cp)]
                return id >= 0 ? id : nil
            }
            return vocabulary.id(of: UnsafeBufferPointer(rebasing: word[i..<end]))
        }
        scratch.removeAll(keepingCapacity: true)
        if i > 0, let prefixBytes { scratch.append(contentsOf: prefixBytes) }
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: word[i..<end]))
        if end == word.count, let suffixBytes { scratch.append(contentsOf: suffixBytes) }
        return scratch.withUnsafeBufferPointer { vocabulary.id(of: $0) }
    }

    /// Applies merges in rank order, leftmost first among equal ranks.
    private func applyMerges(_ ws: inout ModelWorkspace) {
        let n = ws.symbols.count
        guard n > 1 else { return }
        guard n <= 64 else {
            applyMergesWithHeap(&ws.symbols)
            return
        }
        // Short words (nearly all): each adjacent pair's rank in a stack buffer; per round,
        // take the lowest (leftmost on ties), merge it, and look up only the two new pairs.
        let count = ws.symbols.withUnsafeMutableBufferPointer { sym -> Int in
            withUnsafeTemporaryAllocation(of: (Int32, Int32).self, capacity: n) { pairs -> Int in
                var m = n
                for k in 0..<(m - 1) {
                    let r = merge(sym[k].id, sym[k + 1].id)
                    pairs[k] = (r?.rank ?? .max, r?.id ?? 0)
                }
                while m > 1 {
                    var at = 0
                    var best = pairs[0].0
                    for k in 1..<(m - 1) where pairs[k].0 < best {
                        best = pairs[k].0
                        at = k
                    }
                    if best == .max { break }
                    sym[at] = ModelToken(id: pairs[at].1, length: sym[at].length + sym[at + 1].length)
                    // Close the gap left by symbol at + 1 and pair at.
                    var k = at + 1
                    while k < m - 1 {
                        sym[k] = sym[k + 1]
                        k += 1
                    }
                    k = at
                    while k < m - 2 {
                        pairs[k] = pairs[k + 1]
                        k += 1
                    }
                    m -= 1
                    if at > 0 {
                        let r = merge(sym[at - 1].id, sym[at].id)
                        pairs[at - 1] = (r?.rank ?? .max, r?.id ?? 0)
                    }
                    if at < m - 1 {
                        let r = merge(sym[at].id, sym[at + 1].id)
                        pairs[at] = (r?.rank ?? .max, r?.id ?? 0)
                    }
                }
                return m
            }
        }
        ws.symbols.removeSubrange(count...)
    }

    /// Long words: a min-heap of (rank, position) over a linked list of symbols.
    private func applyMergesWithHeap(_ symbols: inout [ModelToken]) {
        let n = symbols.count
        var next = Array(1...n)
        next[n - 1] = -1
        var prev = Array(-1..<(n - 1))
        var alive = [Bool](repeating: true, count: n)
        var heap = MergeHeap()
        for k in 0..<(n - 1) {
            if let m = merge(symbols[k].id, symbols[k + 1].id) { heap.push(rank: m.rank, position: k, id: m.id) }
        }
        while let top = heap.pop() {
            let k = top.position
            guard alive[k], next[k] >= 0 else { continue }
            let r = next[k]
            guard let m = merge(symbols[k].id, symbols[r].id), m.id == top.id else { continue }
            symbols[k] = ModelToken(id: m.id, length: symbols[k].length + symbols[r].length)
            alive[r] = false
            next[k] = next[r]
            if next[r] >= 0 { prev[next[r]] = k }
            if prev[k] >= 0, let pm = merge(symbols[prev[k]].id, symbols[k].id) {
                heap.push(rank: pm.rank, position: prev[k], id: pm.id)
            }
            if next[k] >= 0, let nm = merge(symbols[k].id, symbols[next[k]].id) {
                heap.push(rank: nm.rank, position: k, id: nm.id)
            }
        }
        var compact: [ModelToken] = []
        compact.reserveCapacity(n)
        for k in 0..<n where alive[k] { compact.append(symbols[k]) }
        symbols = compact
    }

    public var json: JSONValue {
        .object([
            ("type", "BPE"), ("dropout", .null), ("unk_token", unknownToken.map { .string($0) } ?? .null),
            ("continuing_subword_prefix", continuingSubwordPrefix.map { .string($0) } ?? .null),
            ("end_of_word_suffix", endOfWordSuffix.map { .string($0) } ?? .null),
            ("fuse_unk", .bool(fuseUnknown)), ("byte_fallback", .bool(byteFallback)), ("ignore_merges", .bool(ignoreMerges)),
            ("vocab", .object(vocabulary.tokens.enumerated().map { ($0.element, .int($0.offset)) })),
            ("merges", .array(merges.map { .array([.string($0.0), .string($0.1)]) })),
        ])
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
