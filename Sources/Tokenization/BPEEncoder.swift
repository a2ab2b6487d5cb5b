/// The immutable tables of a `BPE` model and its word algorithm, as one shared object, so a
/// session calls it without copying the model's fields.
final class BPEEncoder: Sendable {
    let vocabulary: TokenVocabulary
    let mergeTable: MergeTable
    let unknownID: Int32?
    let fuseUnknown: Bool
    let ignoreMerges: Bool
    let byteTokens: [Int32]?
    let prefixBytes: [UInt8]?
    let suffixBytes: [UInt8]?
    /// Id of each BMP character's own token (-1: none), so undecorated characters need no
    /// hashing.
    let singleCharacterIDs: [Int32]
    /// Whether words are cut at characters no merge can join (see `joints(vocabulary:merges:)`).
    let cutsWords: Bool
    /// Parts of at least this many characters go through the session's cache; shorter ones
    /// are quicker to merge than to look up.
    static let cachedPartLength = 5

    init(vocabulary: TokenVocabulary, mergeTable: MergeTable, unknownID: Int32?, fuseUnknown: Bool, ignoreMerges: Bool,
         byteTokens: [Int32]?, prefixBytes: [UInt8]?, suffixBytes: [UInt8]?) {
        self.vocabulary = vocabulary
        self.mergeTable = mergeTable
        self.unknownID = unknownID
        self.fuseUnknown = fuseUnknown
        self.ignoreMerges = ignoreMerges
        self.byteTokens = byteTokens
        self.prefixBytes = prefixBytes
        self.suffixBytes = suffixBytes
        var single = [Int32](repeating: -1, count: 0x10000)
        for (id, token) in vocabulary.tokens.enumerated() {
            let scalars = token.unicodeScalars
            if scalars.count == 1, let cp = scalars.first?.value, cp < 0x10000, single[Int(cp)] < 0 { single[Int(cp)] = Int32(id) }
        }
        singleCharacterIDs = single
        cutsWords = Self.cutsWords(prefixBytes: prefixBytes, suffixBytes: suffixBytes, ignoreMerges: ignoreMerges)
    }

    /// Whether words can be cut (not for decorated or `ignoreMerges` models, where a part is
    /// not tokenized as the same characters would be as a word).
    static func cutsWords(prefixBytes: [UInt8]?, suffixBytes: [UInt8]?, ignoreMerges: Bool) -> Bool {
        prefixBytes == nil && suffixBytes == nil && !ignoreMerges
    }

    /// Per single-character token (by id): bit `MergeTable.rightBit(b)` set when some merge
    /// joins a token ending with this character to one starting with character token `b`.
    /// Where the bit is clear, no merge can ever join the two characters, so a word can be cut
    /// there and its parts merged alone.
    static func joints(vocabulary: TokenVocabulary, merges: [(Int32, Int32, Int32)]) -> [UInt64] {
        var joints = [UInt64](repeating: 0, count: vocabulary.count)
        for (a, b, _) in merges {
            guard let left = vocabulary.characterID(of: a, last: true), let right = vocabulary.characterID(of: b, last: false) else { continue }
            joints[Int(left)] |= 1 << MergeTable.rightBit(right)
        }
        return joints
    }

    /// Appends the tokens of `word` to `out`.
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, into out: inout TokenBuffer, scratch: inout [UInt8]) {
        var memo = NoMemo()
        tokenize(word, into: &out, scratch: &scratch, memo: &memo)
    }

    /// Appends the tokens of `word` to `out`; parts of the word are looked up in and stored
    /// into `memo`.
    func tokenize<Memo: PartMemo>(_ word: UnsafeBufferPointer<UInt8>, into out: inout TokenBuffer, scratch: inout [UInt8],
                                  memo: inout Memo) {
        guard !word.isEmpty else { return }
        if ignoreMerges, let id = vocabulary.id(of: word) {
            out.append(ModelToken(id: id, length: Int32(word.count)))
            return
        }
        // At most one initial symbol per byte (byte fallback), usually one per character; they
        // are merged in place at the end of `out`.
        out.reserve(word.count)
        let symbols = out.free
        if prefixBytes == nil && suffixBytes == nil, let n = plainSymbols(word, into: symbols) {
            out.count += cutsWords && n > 2 ? mergeParts(word, symbols, n, &memo) : merge(symbols, n)
            return
        }
        let n = initialSymbols(word, into: symbols, &scratch)
        out.count += merge(symbols, n)
    }

    /// The initial symbols when every character has a token of its own and nothing is
    /// decorated (the usual case); nil when some character needs `initialSymbols`.
    @inline(__always)
    private func plainSymbols(_ word: UnsafeBufferPointer<UInt8>, into symbols: UnsafeMutableBufferPointer<ModelToken>) -> Int? {
        singleCharacterIDs.withUnsafeBufferPointer { ids -> Int? in
            var n = 0
            var i = 0
            while i < word.count {
                let b0 = word[i]
                var cp = UInt32(b0)
                var len = 1
                if b0 >= 0x80 {
                    len = utf8Length(b0)
                    guard i + len <= word.count else { return nil }
                    cp = decodeScalar(word, i).0
                }
                let id = cp < 0x10000 ? ids[Int(cp)] : (vocabulary.id(of: UnsafeBufferPointer(rebasing: word[i..<i + len])) ?? -1)
                guard id >= 0 else { return nil }
                symbols[n] = ModelToken(id: id, length: Int32(len))
                n += 1
                i += len
            }
            return n
        }
    }

    /// Merges a word whose symbols are its characters' own tokens, cut wherever no merge can
    /// join the characters on both sides (see `joints(vocabulary:merges:)`): merging each part
    /// alone is exactly what merging the whole word does, as no merge crosses a cut. Parts of
    /// `cachedPartLength` or more characters go through `memo` (Chinese words recur even where
    /// the clauses holding them do not). Returns the token count; tokens are written from the
    /// start of `symbols`.
    private func mergeParts<Memo: PartMemo>(_ word: UnsafeBufferPointer<UInt8>, _ symbols: UnsafeMutableBufferPointer<ModelToken>,
                                            _ n: Int, _ memo: inout Memo) -> Int {
        var m = 0
        var start = 0
        var byteStart = 0
        var byteEnd = Int(symbols[0].length)
        for k in 1...n {
            if k < n && (mergeTable.joints(symbols[k - 1].id) >> MergeTable.rightBit(symbols[k].id)) & 1 != 0 {
                byteEnd += Int(symbols[k].length)
                continue
            }
            m += mergePart(word, symbols, start, k, byteStart, byteEnd, at: m, &memo)
            start = k
            byteStart = byteEnd
            if k < n { byteEnd += Int(symbols[k].length) }
        }
        return m
    }

    /// Merges symbols `start..<end` (bytes `byteStart..<byteEnd` of the word) and writes the
    /// result at `at` (not after `start`); returns its token count.
    @inline(__always)
    private func mergePart<Memo: PartMemo>(_ word: UnsafeBufferPointer<UInt8>, _ symbols: UnsafeMutableBufferPointer<ModelToken>,
                                           _ start: Int, _ end: Int, _ byteStart: Int, _ byteEnd: Int, at m: Int,
                                           _ memo: inout Memo) -> Int {
        switch end - start {
        case 1:
            symbols[m] = symbols[start]
            return 1
        case let count where count < Self.cachedPartLength:
            let r = merge(UnsafeMutableBufferPointer(rebasing: symbols[start..<end]), count)
            for t in 0..<r { symbols[m + t] = symbols[start + t] }
            return r
        default:
            let key = UnsafeBufferPointer(rebasing: word[byteStart..<byteEnd])
            let hash = wordHash(key)
            if let (tokens, count) = memo.lookup(key, hash: hash) {
                for t in 0..<count {
                    let packed = tokens[t]
                    symbols[m + t] = ModelToken(id: Int32(bitPattern: packed >> 8), length: Int32(packed & 0xFF))
                }
                return count
            }
            let r = merge(UnsafeMutableBufferPointer(rebasing: symbols[start..<end]), end - start)
            for t in 0..<r { symbols[m + t] = symbols[start + t] }
            memo.insert(key, hash: hash, UnsafeBufferPointer(rebasing: symbols[m..<m + r]))
            return r
        }
    }

    /// Writes the word's initial symbols (its characters' tokens, byte tokens, or unknown tokens)
    /// and returns how many.
    private func initialSymbols(_ word: UnsafeBufferPointer<UInt8>, into symbols: UnsafeMutableBufferPointer<ModelToken>,
                                _ scratch: inout [UInt8]) -> Int {
        var n = 0
        var pendingUnknown: ModelToken?
        var i = 0
        while i < word.count {
            let len = utf8Length(word[i])
            let end = min(i + len, word.count)
            if let id = symbolID(word, i, end, &scratch) {
                if let u = pendingUnknown {
                    symbols[n] = u
                    n += 1
                    pendingUnknown = nil
                }
                symbols[n] = ModelToken(id: id, length: Int32(end - i))
                n += 1
            } else if let bytes = byteTokens {
                if let u = pendingUnknown {
                    symbols[n] = u
                    n += 1
                    pendingUnknown = nil
                }
                for k in i..<end {
                    symbols[n] = ModelToken(id: bytes[Int(word[k])], length: 1)
                    n += 1
                }
            } else if let unk = unknownID {
                if var u = pendingUnknown, fuseUnknown {
                    u.length += Int32(end - i)
                    pendingUnknown = u
                } else {
                    if let u = pendingUnknown {
                        symbols[n] = u
                        n += 1
                    }
                    pendingUnknown = ModelToken(id: unk, length: Int32(end - i))
                }
            }
            i = end
        }
        if let u = pendingUnknown {
            symbols[n] = u
            n += 1
        }
        return n
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
}

/// Where `BPEEncoder` keeps the tokens of word parts between words (the session's word cache).
protocol PartMemo {
    /// A cached part's packed tokens (`id << 8 | length`) and their count, or nil.
    mutating func lookup(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (tokens: UnsafePointer<UInt32>, count: Int)?
    /// Remembers a part's tokens.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, _ tokens: UnsafeBufferPointer<ModelToken>)
}

extension WordCache: PartMemo {}

/// A memo that remembers nothing.
struct NoMemo: PartMemo {
    func lookup(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (tokens: UnsafePointer<UInt32>, count: Int)? { nil }
    func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, _ tokens: UnsafeBufferPointer<ModelToken>) {}
}
