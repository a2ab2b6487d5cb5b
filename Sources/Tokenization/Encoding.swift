import InterestCore

/// A token's span in the original text: UTF-8 byte offsets `start..<end`.
public struct TokenSpan: Sendable, Equatable, Codable, BitwiseCopyable {
    public var start: Int
    public var end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }
}

/// The result of encoding one text: ids, their spans in the input, and the masks models use.
public struct Encoding: Sendable, Equatable {
    public var ids: [Int32]
    /// Byte offsets into the original UTF-8 text; special tokens get (0, 0).
    public var offsets: [TokenSpan]
    /// Type ids and masks, once any differs from the defaults of plain model tokens (type 0,
    /// not special, attended); until then they are implied, which saves three arrays per
    /// encoded text.
    private var masks: Masks?
    let names: TokenNames

    private struct Masks: Sendable {
        var typeIDs: [Int32]
        var specialTokensMask: [UInt8]
        var attentionMask: [UInt8]
    }

    public var typeIDs: [Int32] {
        get { masks?.typeIDs ?? [Int32](repeating: 0, count: ids.count) }
        set {
            materializeMasks()
            masks?.typeIDs = newValue
        }
    }

    /// 1 for tokens added by the post-processor (e.g. [CLS], [SEP]) and for padding.
    public var specialTokensMask: [UInt8] {
        get { masks?.specialTokensMask ?? [UInt8](repeating: 0, count: ids.count) }
        set {
            materializeMasks()
            masks?.specialTokensMask = newValue
        }
    }

    /// 0 for padding.
    public var attentionMask: [UInt8] {
        get { masks?.attentionMask ?? [UInt8](repeating: 1, count: ids.count) }
        set {
            materializeMasks()
            masks?.attentionMask = newValue
        }
    }

    init(names: TokenNames, capacity: Int = 0) {
        self.names = names
        ids = []
        offsets = []
        masks = Masks(typeIDs: [], specialTokensMask: [], attentionMask: [])
        if capacity > 0 {
            ids.reserveCapacity(capacity)
            offsets.reserveCapacity(capacity)
        }
    }

    /// Model tokens of one text: type ids 0, no special tokens, all attended.
    init(names: TokenNames, ids: [Int32], offsets: [TokenSpan]) {
        self.names = names
        self.ids = ids
        self.offsets = offsets
    }

    public var count: Int { ids.count }

    /// The token strings (looked up from the ids).
    public var tokens: [String] { ids.map { names.token(of: $0) ?? "" } }

    /// Stores the implied type ids and masks, to change them.
    private mutating func materializeMasks() {
        guard masks == nil else { return }
        masks = Masks(typeIDs: [Int32](repeating: 0, count: ids.count), specialTokensMask: [UInt8](repeating: 0, count: ids.count),
                      attentionMask: [UInt8](repeating: 1, count: ids.count))
    }

    mutating func append(_ id: Int32, _ span: TokenSpan, typeID: Int32 = 0, special: Bool = false) {
        materializeMasks()
        ids.append(id)
        offsets.append(span)
        masks?.typeIDs.append(typeID)
        masks?.specialTokensMask.append(special ? 1 : 0)
        masks?.attentionMask.append(1)
    }

    /// Appends every token of `other`.
    mutating func appendAll(_ other: Encoding) {
        materializeMasks()
        ids.append(contentsOf: other.ids)
        offsets.append(contentsOf: other.offsets)
        masks?.typeIDs.append(contentsOf: other.typeIDs)
        masks?.specialTokensMask.append(contentsOf: other.specialTokensMask)
        masks?.attentionMask.append(contentsOf: other.attentionMask)
    }

    /// Appends a token of padding (type `typeID`, special, not attended).
    mutating func appendPadding(_ id: Int32, typeID: Int32) {
        materializeMasks()
        ids.append(id)
        offsets.append(TokenSpan(0, 0))
        masks?.typeIDs.append(typeID)
        masks?.specialTokensMask.append(1)
        masks?.attentionMask.append(0)
    }

    /// Keeps the first `n` tokens.
    mutating func truncate(to n: Int) {
        guard count > n else { return }
        ids.removeSubrange(n...)
        offsets.removeSubrange(n...)
        masks?.typeIDs.removeSubrange(n...)
        masks?.specialTokensMask.removeSubrange(n...)
        masks?.attentionMask.removeSubrange(n...)
    }

    public static func == (a: Encoding, b: Encoding) -> Bool {
        a.ids == b.ids && a.offsets == b.offsets && a.typeIDs == b.typeIDs
            && a.specialTokensMask == b.specialTokensMask && a.attentionMask == b.attentionMask
    }
}

/// A token outside the model's vocabulary handling: special tokens ([CLS]) and user-added ones,
/// matched in the raw text before normalization (or after it, when `normalized`).
public struct AddedToken: Sendable, Equatable {
    public var id: Int32
    public var content: String
    public var singleWord: Bool
    public var lstrip: Bool
    public var rstrip: Bool
    public var normalized: Bool
    public var special: Bool

    public init(id: Int32, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
                normalized: Bool = false, special: Bool = true) {
        self.id = id
        self.content = content
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.special = special
    }

    var json: JSONValue {
        .object([
            ("id", .int(Int(id))), ("content", .string(content)), ("single_word", .bool(singleWord)),
            ("lstrip", .bool(lstrip)), ("rstrip", .bool(rstrip)), ("normalized", .bool(normalized)),
            ("special", .bool(special)),
        ])
    }
}

/// Finds added tokens in text: leftmost, longest match first; `singleWord` tokens only where
/// no word character touches them; `lstrip`/`rstrip` swallow neighbouring whitespace.
final class AddedTokenMatcher: Sendable {
    private let tokens: [AddedToken]
    private let patterns: [[UInt8]]
    /// First byte → indices into tokens, longest pattern first.
    private let byFirstByte: [[Int]]
    /// Whether some token starts with the byte.
    private let startsToken: [Bool]
    /// The byte every token starts with, when there is one.
    private let onlyFirstByte: UInt8?

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens
        let pats = tokens.map { Array($0.content.utf8) }
        var buckets = [[Int]](repeating: [], count: 256)
        for (k, p) in pats.enumerated() where !p.isEmpty { buckets[Int(p[0])].append(k) }
        for b in buckets.indices { buckets[b].sort { pats[$0].count > pats[$1].count } }
        patterns = pats
        byFirstByte = buckets
        startsToken = buckets.map { !$0.isEmpty }
        let firsts = Set(pats.compactMap(\.first))
        onlyFirstByte = firsts.count == 1 ? firsts.first : nil
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Matches in `bytes`: (start, end, token) ascending and non-overlapping.
    func matches(in bytes: UnsafeBufferPointer<UInt8>) -> [(Int, Int, AddedToken)] {
        guard !tokens.isEmpty else { return [] }
        var out: [(Int, Int, AddedToken)] = []
        var floor = 0
        var i = 0
        while let k = nextCandidate(bytes, from: i) {
            if let (start, stop, t) = match(bytes, at: k, floor: floor) {
                out.append((start, stop, t))
                floor = stop
                i = stop
            } else {
                i = k + 1
            }
        }
        return out
    }

    /// The first position from `i` whose byte starts some token. With one such byte (`[` of
    /// BERT's specials, `<` of others) the text is searched eight bytes at a time.
    @inline(__always)
    private func nextCandidate(_ bytes: UnsafeBufferPointer<UInt8>, from i: Int) -> Int? {
        guard let p = bytes.baseAddress.map(UnsafeRawPointer.init) else { return nil }
        var i = i
        if let b = onlyFirstByte {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let pattern = ones &* UInt64(b)
            while i + 8 <= bytes.count {
                // A zero byte of x marks b (the classic has-zero-byte test).
                let x = p.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
                if (x &- ones) & ~x & (ones << 7) != 0 { break }
                i += 8
            }
            while i < bytes.count {
                if bytes[i] == b { return i }
                i += 1
            }
            return nil
        }
        return startsToken.withUnsafeBufferPointer { starts in
            while i < bytes.count {
                if starts[Int(bytes[i])] { return i }
                i += 1
            }
            return nil
        }
    }

    /// The longest token matching at `i` (with its stripped surroundings), if any.
    private func match(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, floor: Int) -> (Int, Int, AddedToken)? {
        for k in byFirstByte[Int(bytes[i])] {
            let p = patterns[k]
            guard i + p.count <= bytes.count else { continue }
            var equal = true
            for j in 1..<p.count where bytes[i + j] != p[j] {
                equal = false
                break
            }
            guard equal else { continue }
            let t = tokens[k]
            var start = i
            var stop = i + p.count
            if t.singleWord && (isWordBefore(bytes, start) || isWordAfter(bytes, stop)) { continue }
            if t.lstrip {
                while start > floor, bytes[start - 1] == 0x20 || bytes[start - 1] == 0x09 || bytes[start - 1] == 0x0A || bytes[start - 1] == 0x0D {
                    start -= 1
                }
            }
            if t.rstrip {
                while stop < bytes.count, bytes[stop] == 0x20 || bytes[stop] == 0x09 || bytes[stop] == 0x0A || bytes[stop] == 0x0D {
                    stop += 1
                }
            }
            return (start, stop, t)
        }
        return nil
    }

    private func isWordBefore(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i > 0 else { return false }
        var k = i - 1
        while k > 0 && b[k] & 0xC0 == 0x80 { k -= 1 }
        let (cp, _) = decodeScalar(b, k)
        return CharacterClass.of(cp).contains(.word)
    }

    private func isWordAfter(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i < b.count else { return false }
        let (cp, _) = decodeScalar(b, i)
        return CharacterClass.of(cp).contains(.word)
    }
}
