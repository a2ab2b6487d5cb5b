import InterestCore

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
    /// The tables and the word algorithm (shared, so sessions call it without copies).
    let encoder: BPEEncoder
    /// Per token id: the rank of the first merge whose two parts, concatenated, spell the token
    /// (-1: none), for `merge(producing:)`.
    let firstMergeRank: [Int32]

    public init(vocabulary: TokenVocabulary, merges: [(String, String)], unknownToken: String? = nil,
                continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil, fuseUnknown: Bool = false,
                byteFallback: Bool = false, ignoreMerges: Bool = false) throws(TokenizationError) {
        try self.init(vocabulary: vocabulary, merges: merges, pairIDs: nil, unknownToken: unknownToken,
                      continuingSubwordPrefix: continuingSubwordPrefix, endOfWordSuffix: endOfWordSuffix, fuseUnknown: fuseUnknown,
                      byteFallback: byteFallback, ignoreMerges: ignoreMerges)
    }

    /// `pairIDs`, when given, are the ids of the merges' tokens (what `vocabulary.id(of:)`
    /// gives for them), found by the caller without making strings.
    init(vocabulary: TokenVocabulary, merges: [(String, String)], pairIDs: [(Int32, Int32)]?, unknownToken: String?,
         continuingSubwordPrefix: String?, endOfWordSuffix: String?, fuseUnknown: Bool, byteFallback: Bool,
         ignoreMerges: Bool) throws(TokenizationError) {
        var triples: [(Int32, Int32, Int32)] = []
        triples.reserveCapacity(merges.count)
        let prefixLength = continuingSubwordPrefix?.utf8.count ?? 0
        for (rank, (a, b)) in merges.enumerated() {
            guard let (ia, ib) = pairIDs.map({ $0[rank] }) ?? vocabulary.id(of: a).flatMap({ x in vocabulary.id(of: b).map { (x, $0) } }) else {
                throw .invalidVocabulary(reason: "merge \(rank) ('\(a)' '\(b)') names a token that is not in the vocabulary")
            }
            var right = b
            if let p = continuingSubwordPrefix, b.hasPrefix(p) {
                right = String(decoding: Array(b.utf8)[prefixLength...], as: UTF8.self)
            }
            // Without a prefix the merged token is the two tokens' bytes one after the other.
            guard let merged = continuingSubwordPrefix == nil ? vocabulary.id(concatenating: ia, ib) : vocabulary.id(of: a + right) else {
                throw .invalidVocabulary(reason: "merge \(rank) ('\(a)' '\(b)') makes '\(a + right)', which is not in the vocabulary")
            }
            triples.append((ia, ib, merged))
        }
        var firstRank = [Int32](repeating: -1, count: vocabulary.count)
        for (rank, (a, b)) in merges.enumerated() {
            // Without a prefix the merged token is the parts' concatenation itself.
            let joined: Int32? = continuingSubwordPrefix == nil ? triples[rank].2 : vocabulary.id(of: a + b)
            if let id = joined, firstRank[Int(id)] < 0 { firstRank[Int(id)] = Int32(rank) }
        }
        firstMergeRank = firstRank
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
        let unknownID = unknownToken.flatMap { vocabulary.id(of: $0) }
        let prefixBytes = continuingSubwordPrefix.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        let suffixBytes = endOfWordSuffix.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        var byteTokens: [Int32]?
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
        }
        let cuts = BPEEncoder.cutsWords(prefixBytes: prefixBytes, suffixBytes: suffixBytes, ignoreMerges: ignoreMerges)
        let joints = cuts ? BPEEncoder.joints(vocabulary: vocabulary, merges: triples) : []
        let table = MergeTable(triples, vocabularySize: vocabulary.count, joints: joints)
        encoder = BPEEncoder(vocabulary: vocabulary, mergeTable: table, unknownID: unknownID, fuseUnknown: fuseUnknown,
                             ignoreMerges: ignoreMerges, byteTokens: byteTokens, prefixBytes: prefixBytes, suffixBytes: suffixBytes)
    }

    /// The first merge (in rank order) whose two parts, concatenated, spell `token`, or nil
    /// (tokens compare by their UTF-8 bytes).
    ///
    /// - Complexity: O(token length) expected.
    public func merge(producing token: String) -> (String, String)? {
        guard let id = vocabulary.id(of: token), Int(id) < firstMergeRank.count else { return nil }
        let rank = firstMergeRank[Int(id)]
        return rank >= 0 ? merges[Int(rank)] : nil
    }

    public func tokenize(_ word: UnsafeBufferPointer<UInt8>, into out: inout [ModelToken], workspace: inout ModelWorkspace) {
        var buffer = TokenBuffer(capacity: word.count)
        defer { buffer.deallocate() }
        encoder.tokenize(word, into: &buffer, scratch: &workspace.bytes)
        out.append(contentsOf: buffer.elements)
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
