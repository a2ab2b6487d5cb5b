/// The character classes the pipeline needs, as Hugging Face `tokenizers` defines them
/// (see `UnicodeTables`, generated from HF's own behaviour).
///
/// - Complexity: O(1) for the Basic Multilingual Plane (a 64 K flag table built once per
///   process), O(log n) binary search above it.
struct CharacterClass: OptionSet, Sendable {
    let rawValue: UInt16

    /// Oniguruma `\w` (the Whitespace pre-tokenizer's word characters).
    static let word = CharacterClass(rawValue: 1)
    /// Oniguruma `\p{L}`.
    static let letter = CharacterClass(rawValue: 2)
    /// Oniguruma `\p{N}`.
    static let number = CharacterClass(rawValue: 4)
    /// Characters the BERT pre-tokenizer isolates (ASCII punctuation and Unicode P*).
    static let bertPunctuation = CharacterClass(rawValue: 8)
    /// Characters BERT's `clean_text` deletes (NUL, U+FFFD, controls other than \t\n\r,
    /// format and private-use characters).
    static let bertRemoved = CharacterClass(rawValue: 16)
    /// Combining marks (what `StripAccents` deletes).
    static let combiningMark = CharacterClass(rawValue: 32)
    /// Unicode White_Space (the same 25 characters in every HF component).
    static let whitespace = CharacterClass(rawValue: 64)
    /// CJK ideographs as BERT's `handle_chinese_chars` defines them.
    static let chinese = CharacterClass(rawValue: 128)
    /// Characters HF's NFKC changes when alone.
    static let nfkcChanged = CharacterClass(rawValue: 256)
    /// Characters HF's NFD changes when alone.
    static let nfdChanged = CharacterClass(rawValue: 512)
    /// Characters before which normalization may not cut the text.
    static let unsafeStart = CharacterClass(rawValue: 1024)
    /// Characters BERT's accent stripping deletes after NFD (nonspacing marks only).
    static let bertStripped = CharacterClass(rawValue: 2048)
    /// Characters lowercasing changes.
    static let lowercaseChanged = CharacterClass(rawValue: 4096)

    private static let tables: [(CharacterClass, [UInt32])] = [
        (.word, UnicodeTables.word), (.letter, UnicodeTables.letter), (.number, UnicodeTables.number),
        (.bertPunctuation, UnicodeTables.bertPunctuation), (.bertRemoved, UnicodeTables.bertRemoved),
        (.combiningMark, UnicodeTables.combiningMark), (.whitespace, whitespaceRanges), (.chinese, chineseRanges),
        (.nfkcChanged, UnicodeTables.nfkcChanged), (.nfdChanged, UnicodeTables.nfdChanged),
        (.unsafeStart, UnicodeTables.unsafeStart), (.bertStripped, UnicodeTables.bertStripped),
        (.lowercaseChanged, UnicodeTables.lowercaseChanged),
    ]

    static let whitespaceRanges: [UInt32] = [
        0x9, 0xD, 0x20, 0x20, 0x85, 0x85, 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A,
        0x2028, 0x2029, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000,
    ]

    static let chineseRanges: [UInt32] = [
        0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xF900, 0xFAFF, 0x20000, 0x2A6DF, 0x2A700, 0x2B73F,
        0x2B740, 0x2B81F, 0x2B920, 0x2CEAF, 0x2F800, 0x2FA1F,
    ]

    /// The flag table, for hot loops: fetch it once (`let t = CharacterClass.table`) and call
    /// `t.of(cp)`, which skips the lazy-initialisation check of every `CharacterClass.of`.
    static let table = Table(bmp)

    struct Table: @unchecked Sendable {
        /// Immutable after creation (a process-lifetime copy of `bmp`).
        let flags: UnsafePointer<UInt16>
        /// Per 256-code-point page of the BMP: the flags all its code points share, or
        /// `mixed`. Small enough to stay in L1, so text in uniform pages (most CJK ideographs,
        /// Hangul syllables) never reads the 128 KB flag table.
        let pages: UnsafePointer<UInt16>
        static let mixed: UInt16 = 0xFFFF

        init(_ bmp: [UInt16]) {
            let p = UnsafeMutablePointer<UInt16>.allocate(capacity: bmp.count)
            p.initialize(from: bmp, count: bmp.count)
            flags = UnsafePointer(p)
            let pg = UnsafeMutablePointer<UInt16>.allocate(capacity: 256)
            for page in 0..<256 {
                let first = bmp[page << 8]
                pg[page] = bmp[(page << 8)..<((page + 1) << 8)].allSatisfy { $0 == first } ? first : Self.mixed
            }
            pages = UnsafePointer(pg)
        }

        @inline(__always) func of(_ cp: UInt32) -> CharacterClass {
            guard cp < 0x10000 else { return CharacterClass.astral(cp) }
            let page = pages[Int(cp >> 8)]
            return CharacterClass(rawValue: page != Self.mixed ? page : flags[Int(cp)])
        }
    }

    private static let bmp: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 0x10000)
        for (cls, ranges) in tables {
            var k = 0
            while k + 1 < ranges.count {
                let lo = ranges[k], hi = min(ranges[k + 1], 0xFFFF)
                if lo <= 0xFFFF {
                    for cp in Int(lo)...Int(hi) { t[cp] |= cls.rawValue }
                }
                k += 2
            }
        }
        return t
    }()

    /// The classes of a code point.
    @inline(__always)
    static func of(_ cp: UInt32) -> CharacterClass {
        table.of(cp)
    }

    static func astral(_ cp: UInt32) -> CharacterClass {
        var out: UInt16 = 0
        for (cls, ranges) in tables where contains(ranges, cp) { out |= cls.rawValue }
        return CharacterClass(rawValue: out)
    }

    private static func contains(_ ranges: [UInt32], _ cp: UInt32) -> Bool {
        var lo = 0
        var hi = ranges.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[2 * mid + 1] < cp { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count / 2 && ranges[2 * lo] <= cp
    }
}

/// Decodes the scalar starting at `i` of valid UTF-8 and its length in bytes.
@inline(__always)
func decodeScalar(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
    let b0 = UInt32(b[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F), 3) }
    return ((b0 & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F), 4)
}


/// Length in bytes of the UTF-8 sequence that starts with `b0`.
@inline(__always)
func utf8Length(_ b0: UInt8) -> Int {
    b0 < 0x80 ? 1 : (b0 < 0xE0 ? 2 : (b0 < 0xF0 ? 3 : 4))
}

/// Writes the UTF-8 encoding of `cp` at `p` (room for 4 bytes) and returns its length.
@inline(__always)
func encodeUTF8(_ cp: UInt32, into p: UnsafeMutablePointer<UInt8>) -> Int {
    if cp < 0x80 {
        p[0] = UInt8(cp)
        return 1
    }
    if cp < 0x800 {
        p[0] = UInt8(0xC0 | (cp >> 6))
        p[1] = UInt8(0x80 | (cp & 0x3F))
        return 2
    }
    if cp < 0x10000 {
        p[0] = UInt8(0xE0 | (cp >> 12))
        p[1] = UInt8(0x80 | ((cp >> 6) & 0x3F))
        p[2] = UInt8(0x80 | (cp & 0x3F))
        return 3
    }
    p[0] = UInt8(0xF0 | (cp >> 18))
    p[1] = UInt8(0x80 | ((cp >> 12) & 0x3F))
    p[2] = UInt8(0x80 | ((cp >> 6) & 0x3F))
    p[3] = UInt8(0x80 | (cp & 0x3F))
    return 4
}
