/// A token's span in the original text: UTF-8 byte offsets `start..<end`.
public struct TokenSpan: Sendable, Equatable, Codable {
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
    public var typeIDs: [Int32]
    /// 1 for tokens added by the post-processor (e.g. [CLS], [SEP]) and for padding.
    public var specialTokensMask: [UInt8]
    /// 0 for padding.
    public var attentionMask: [UInt8]
    let names: TokenNames

    init(names: TokenNames, capacity: Int = 0) {
        self.names = names
        ids = []
        offsets = []
        typeIDs = []
        specialTokensMask = []
        attentionMask = []
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
        typeIDs = [Int32](repeating: 0, count: ids.count)
        specialTokensMask = [UInt8](repeating: 0, count: ids.count)
        attentionMask = [UInt8](repeating: 1, count: ids.count)
    }

    public var count: Int { ids.count }

    /// The token strings (looked up from the ids).
    public var tokens: [String] { ids.map { names.token(of: $0) ?? "" } }

    mutating func append(_ id: Int32, _ span: TokenSpan, typeID: Int32 = 0, special: Bool = false) {
        ids.append(id)
        offsets.append(span)
        typeIDs.append(typeID)
        specialTokensMask.append(special ? 1 : 0)
        attentionMask.append(1)
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
struct AddedTokenMatcher: Sendable {
    private let tokens: [AddedToken]
    private let patterns: [[UInt8]]
    /// First byte → indices into tokens, longest pattern first.
    private let byFirstByte: [[Int]]

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens
        let pats = tokens.map { Array($0.content.utf8) }
        var buckets = [[Int]](repeating: [], count: 256)
        for (k, p) in pats.enumerated() where !p.isEmpty { buckets[Int(p[0])].append(k) }
        for b in buckets.indices { buckets[b].sort { pats[$0].count > pats[$1].count } }
        patterns = pats
        byFirstByte = buckets
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Matches in `bytes`: (start, end, token) ascending and non-overlapping.
    func matches(in bytes: UnsafeBufferPointer<UInt8>) -> [(Int, Int, AddedToken)] {
        guard !tokens.isEmpty else { return [] }
        var out: [(Int, Int, AddedToken)] = []
        var floor = 0
        var i = 0
        while i < bytes.count {
            let candidates = byFirstByte[Int(bytes[i])]
            var matched = false
            for k in candidates {
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
                out.append((start, stop, t))
                floor = stop
                i = stop
                matched = true
                break
            }
            if !matched { i += 1 }
        }
        return out
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
