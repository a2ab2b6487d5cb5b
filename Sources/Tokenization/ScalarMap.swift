import InterestCore

/// Code point → replacement, for the per-character tables of the normalization forms and of
/// lowercasing: open addressing over the code points (no `Hasher`), replacements kept in two
/// arenas, as scalars and as UTF-8 (so a rewrite can copy bytes). Immutable once built; the
/// tables live for the whole process.
final class ScalarMap: @unchecked Sendable {
    /// Slot → code point + 1 (0 = empty).
    private let keys: UnsafeMutablePointer<UInt32>
    /// Slot → UTF-8 start | count << 24 | scalar start << 32 | count << 56.
    private let values: UnsafeMutablePointer<UInt64>
    private let mask: Int
    private let utf8Arena: UnsafeMutablePointer<UInt8>
    private let scalarArena: UnsafeMutablePointer<UInt32>

    /// Builds the map; replacements longer than 255 scalars are left out (callers fall back to
    /// computing them).
    init(_ entries: [(UInt32, [UInt32])]) {
        var c = 16
        while c < entries.count * 2 { c <<= 1 }
        mask = c - 1
        keys = .allocate(capacity: c)
        keys.initialize(repeating: 0, count: c)
        values = .allocate(capacity: c)
        values.initialize(repeating: 0, count: c)
        var utf8: [UInt8] = []
        var scalars: [UInt32] = []
        for (cp, replacement) in entries where replacement.count < 256 {
            let u = utf8.count
            for r in replacement { appendUTF8(r, to: &utf8) }
            let value = UInt64(u) | UInt64(utf8.count - u) << 24 | UInt64(scalars.count) << 32 | UInt64(replacement.count) << 56
            scalars.append(contentsOf: replacement)
            var s = Self.slot(cp, mask)
            while keys[s] != 0 && keys[s] != cp &+ 1 { s = (s + 1) & mask }
            keys[s] = cp &+ 1
            values[s] = value
        }
        utf8Arena = .allocate(capacity: max(utf8.count, 1))
        utf8Arena.initialize(from: utf8, count: utf8.count)
        scalarArena = .allocate(capacity: max(scalars.count, 1))
        scalarArena.initialize(from: scalars, count: scalars.count)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
        utf8Arena.deallocate()
        scalarArena.deallocate()
    }

    @inline(__always) private static func slot(_ cp: UInt32, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(cp) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    @inline(__always) private func value(_ cp: UInt32) -> UInt64? {
        var s = Self.slot(cp, mask)
        while true {
            let k = keys[s]
            if k == cp &+ 1 { return values[s] }
            if k == 0 { return nil }
            s = (s + 1) & mask
        }
    }

    /// The replacement of `cp` as UTF-8, or nil when `cp` is not in the map.
    @inline(__always) func utf8(_ cp: UInt32) -> UnsafeBufferPointer<UInt8>? {
        value(cp).map { UnsafeBufferPointer(start: utf8Arena + Int($0 & 0xFF_FFFF), count: Int(($0 >> 24) & 0xFF)) }
    }

    /// The replacement of `cp` as scalars, or nil when `cp` is not in the map.
    @inline(__always) func scalars(_ cp: UInt32) -> UnsafeBufferPointer<UInt32>? {
        value(cp).map { UnsafeBufferPointer(start: scalarArena + Int(($0 >> 32) & 0xFF_FFFF), count: Int($0 >> 56)) }
    }
}

/// A set of BMP code points as a bitset (8 KB, so it stays in L1), for the hottest class
/// tests; code points above the BMP are answered from `CharacterClass`.
struct BMPSet: @unchecked Sendable {
    private let words: UnsafeMutablePointer<UInt64>
    private let classes: CharacterClass

    /// The code points having any of `classes`.
    init(_ classes: CharacterClass) {
        self.classes = classes
        words = .allocate(capacity: 1024)
        words.initialize(repeating: 0, count: 1024)
        let table = CharacterClass.table
        for cp in 0..<0x10000 where !table.of(UInt32(cp)).isDisjoint(with: classes) {
            words[cp >> 6] |= 1 << UInt64(cp & 63)
        }
    }

    @inline(__always) func contains(_ cp: UInt32) -> Bool {
        guard cp < 0x10000 else { return !CharacterClass.astral(cp).isDisjoint(with: classes) }
        return (words[Int(cp >> 6)] >> UInt64(cp & 63)) & 1 != 0
    }

    /// Characters NFKC may change on their own.
    static let nfkcChanged = BMPSet(.nfkcChanged)
    /// Characters NFC/NFD may change on their own.
    static let nfdChanged = BMPSet(.nfdChanged)
    /// Characters NFKD may change on their own.
    static let nfkdChanged = BMPSet([.nfkcChanged, .nfdChanged])
    /// Characters that may combine with the one before them.
    static let unsafeStart = BMPSet(.unsafeStart)
    /// Characters lowercasing changes.
    static let lowercaseChanged = BMPSet(.lowercaseChanged)

    private static let nfcWatched = BMPSet([.nfdChanged, .unsafeStart])
    private static let nfkcWatched = BMPSet([.nfkcChanged, .unsafeStart])
    private static let nfkdWatched = BMPSet([.nfkcChanged, .nfdChanged, .unsafeStart])
    private static let nfcLowercaseWatched = BMPSet([.nfdChanged, .unsafeStart, .lowercaseChanged])
    private static let nfkcLowercaseWatched = BMPSet([.nfkcChanged, .unsafeStart, .lowercaseChanged])
    private static let nfkdLowercaseWatched = BMPSet([.nfkcChanged, .nfdChanged, .unsafeStart, .lowercaseChanged])

    /// The characters a normalization form's scan stops at: those it may change, those that
    /// may combine with the character before, and (`lowercase`) those lowercasing changes.
    static func watched(by form: UnicodeNormalizer.Form, lowercase: Bool) -> BMPSet {
        switch (form, lowercase) {
        case (.nfc, false), (.nfd, false): nfcWatched
        case (.nfkc, false): nfkcWatched
        case (.nfkd, false): nfkdWatched
        case (.nfc, true), (.nfd, true): nfcLowercaseWatched
        case (.nfkc, true): nfkcLowercaseWatched
        case (.nfkd, true): nfkdLowercaseWatched
        }
    }
}
