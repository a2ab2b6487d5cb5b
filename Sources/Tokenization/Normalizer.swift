import Foundation

/// A normalization stage: rewrites text in place, keeping every byte aligned to its origin.
/// Mirrors Hugging Face `tokenizers` normalizers; `json` is its `tokenizer.json` form.
public protocol Normalizer: Sendable {
    func normalize(_ text: inout NormalizedText)
    var json: JSONValue { get }
}

/// Applies normalizers in order.
public struct NormalizerSequence: Normalizer {
    public let normalizers: [any Normalizer]
    public init(_ normalizers: [any Normalizer]) { self.normalizers = normalizers }
    public func normalize(_ text: inout NormalizedText) {
        for n in normalizers { n.normalize(&text) }
    }
    public var json: JSONValue {
        .object([("type", "Sequence"), ("normalizers", .array(normalizers.map(\.json)))])
    }
}

/// Unicode lowercase mapping, character by character (Rust's `char::to_lowercase`: full,
/// unconditional mappings, no final-sigma rule).
public struct Lowercase: Normalizer {
    public init() {}
    public func normalize(_ text: inout NormalizedText) {
        // Only rewrite when a non-ASCII character changes; ASCII letters change in place.
        var nonASCIIChanges = false
        var asciiUpper = false
        let classes = CharacterClass.table
        text.bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                let x = b[i]
                if x < 0x80 {
                    if x &- 0x41 < 26 { asciiUpper = true }
                    i += 1
                    continue
                }
                let (cp, len) = decodeScalar(b, i)
                if classes.of(cp).contains(.lowercaseChanged) {
                    nonASCIIChanges = true
                    return
                }
                i += len
            }
        }
        if nonASCIIChanges {
            text.rewrite { cp, w in Self.appendLowercased(cp, to: &w) }
        } else if asciiUpper {
            text.mapBytesInPlace { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
        }
    }

    @inline(__always)
    static func appendLowercased(_ cp: UInt32, to w: inout Rewriter) {
        if cp < 0x80 {
            w.append(cp &- 0x41 < 26 ? cp | 0x20 : cp)
        } else if CharacterClass.of(cp).contains(.lowercaseChanged), let mapped = ScalarMaps.lowercase[cp] {
            for l in mapped { w.append(l) }
        } else {
            w.append(cp)
        }
    }

    public var json: JSONValue { .object([("type", "Lowercase")]) }
}

/// Removes combining marks (HF `StripAccents`; usually after NFD).
public struct StripAccents: Normalizer {
    public init() {}
    public func normalize(_ text: inout NormalizedText) {
        guard text.containsNonASCII(of: .combiningMark) else { return }
        text.rewrite { cp, w in
            if cp < 0x80 || !CharacterClass.of(cp).contains(.combiningMark) { w.append(cp) }
        }
    }
    public var json: JSONValue { .object([("type", "StripAccents")]) }
}

/// The four Unicode normalization forms (UAX #15), as HF computes them.
public struct UnicodeNormalizer: Normalizer {
    public enum Form: String, Sendable, CaseIterable { case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD" }
    public let form: Form
    public init(_ form: Form) { self.form = form }

    public func normalize(_ text: inout NormalizedText) {
        // Characters a form may change on their own; everything else is copied untouched.
        let changing: CharacterClass = switch form {
        case .nfc, .nfd: .nfdChanged
        case .nfkc: .nfkcChanged
        case .nfkd: [.nfkcChanged, .nfdChanged]
        }
        guard text.containsNonASCII(of: changing.union(.unsafeStart)) else { return }
        let single: [UInt32: [UInt32]] = switch form {
        case .nfc: ScalarMaps.nfc
        case .nfd: ScalarMaps.nfd
        case .nfkc: ScalarMaps.nfkc
        case .nfkd: ScalarMaps.nfkd
        }
        // Text is cut into runs that start at a character nothing before it can combine with;
        // each run is normalized on its own (a lone unchanged character is copied as is).
        let classes = CharacterClass.table
        let unsafe = CharacterClass.unsafeStart
        // A run is a character plus the following characters that may combine with it; a run
        // of one unchanged character is copied as bytes, one changed character comes from the
        // per-character map, longer runs go through Foundation.
        text.rewriteBytes { b, w in
            var i = 0
            var pending = 0  // start of bytes to copy unchanged
            while i < b.count {
                let (cp, len) = b[i] < 0x80 ? (UInt32(b[i]), 1) : decodeScalar(b, i)
                var j = i + len
                while j < b.count && b[j] >= 0x80 {
                    let (next, l2) = decodeScalar(b, j)
                    guard classes.of(next).contains(unsafe) else { break }
                    j += l2
                }
                if j == i + len {
                    if cp < 0x80 || classes.of(cp).isDisjoint(with: changing) {
                        i = j
                        continue
                    }
                    w.copy(pending, i)
                    w.emit(single[cp] ?? Self.normalize([cp], form), from: i, j)
                } else {
                    w.copy(pending, i)
                    var run: [UInt32] = []
                    var k = i
                    while k < j {
                        let (c, l) = decodeScalar(b, k)
                        run.append(c)
                        k += l
                    }
                    w.emit(Self.normalize(run, form), from: i, j)
                }
                i = j
                pending = j
            }
            w.copy(pending, b.count)
        }
    }

    /// Normalizes one run with Foundation, patched where HF's Unicode data differs.
    ///
    /// Decomposition comes from Foundation; composition too (see `CanonicalComposition` for runs
    /// with supplementary scalars), except for runs holding conjoining Hangul jamo, which are
    /// composed here (algorithmically): Foundation on Linux composes archaic leading jamo into
    /// wrong code points or U+FFFD. NFKC is computed as NFC(NFKD(x)), since Foundation's own
    /// NFKC leaves some compositions undone (ﾀﾞ).
    static func normalize(_ run: [UInt32], _ form: Form) -> [UInt32] {
        let overrides = (form == .nfkc || form == .nfkd) ? UnicodeTables.nfkcOverrides : UnicodeTables.nfdOverrides
        if run.count == 1, let o = overrides[run[0]] { return o }
        // Overridden scalars (those of either table: an unknown scalar is unknown to every
        // form) and marks HF's data does not know are, for HF, starters that neither decompose
        // nor combine, so the run is normalized in parts around them.
        let unknown = { (cp: UInt32) -> [UInt32]? in
            overrides[cp] ?? UnicodeTables.nfdOverrides[cp] ?? (CanonicalComposition.isUnknownMark(cp) ? [cp] : nil)
        }
        if run.count > 1, run.contains(where: { unknown($0) != nil }) {
            var out: [UInt32] = []
            var part: [UInt32] = []
            for cp in run {
                guard let o = unknown(cp) else {
                    part.append(cp)
                    continue
                }
                if !part.isEmpty { out += normalize(part, form) }
                part.removeAll()
                out += o
            }
            if !part.isEmpty { out += normalize(part, form) }
            return out
        }
        var s = String.UnicodeScalarView()
        for cp in run {
            if let sc = Unicode.Scalar(cp) { s.append(sc) }
        }
        let str = String(s)
        let decomposed = form == .nfc || form == .nfd ? str.decomposedStringWithCanonicalMapping : str.decomposedStringWithCompatibilityMapping
        if form == .nfd || form == .nfkd { return decomposed.unicodeScalars.map(\.value) }
        let scalars = decomposed.unicodeScalars.map(\.value)
        guard scalars.contains(where: isJamo) else { return CanonicalComposition.compose(scalars) }
        // Jamo never compose with anything else: compose jamo and non-jamo stretches apart.
        var out: [UInt32] = []
        var k = 0
        while k < scalars.count {
            let jamo = isJamo(scalars[k])
            var e = k
            while e < scalars.count && isJamo(scalars[e]) == jamo { e += 1 }
            let part = Array(scalars[k..<e])
            if jamo {
                out += composeHangul(part)
            } else {
                out += CanonicalComposition.compose(part)
            }
            k = e
        }
        return out
    }

    private static func isJamo(_ cp: UInt32) -> Bool { (0x1100...0x11FF).contains(cp) }

    /// Canonical composition of modern Hangul jamo: L+V → LV, LV+T → LVT (Unicode §3.12).
    static func composeHangul(_ s: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        for cp in s {
            if let last = out.last {
                if (0x1100...0x1112).contains(last) && (0x1161...0x1175).contains(cp) {
                    out[out.count - 1] = 0xAC00 + ((last - 0x1100) * 21 + (cp - 0x1161)) * 28
                    continue
                }
                if (0xAC00...0xD7A3).contains(last) && (last - 0xAC00) % 28 == 0 && (0x11A8...0x11C2).contains(cp) {
                    out[out.count - 1] = last + (cp - 0x11A7)
                    continue
                }
            }
            out.append(cp)
        }
        return out
    }

    public var json: JSONValue { .object([("type", .string(form.rawValue))]) }
}

/// Per-character results of the normalization forms and of lowercasing, for the characters
/// that change alone; computed once per process (a few thousand Foundation calls) so that
/// common characters (full-width punctuation, accented letters) never call Foundation again.
enum ScalarMaps {
    static let nfc = build(UnicodeTables.nfdChanged, .nfc)
    static let nfd = build(UnicodeTables.nfdChanged, .nfd)
    static let nfkc = build(UnicodeTables.nfkcChanged, .nfkc)
    static let nfkd = build(UnicodeTables.nfkcChanged + UnicodeTables.nfdChanged, .nfkd)
    static let lowercase: [UInt32: [UInt32]] = {
        var m: [UInt32: [UInt32]] = [:]
        forEach(UnicodeTables.lowercaseChanged) { cp in
            if let s = Unicode.Scalar(cp) { m[cp] = s.properties.lowercaseMapping.unicodeScalars.map(\.value) }
        }
        return m
    }()

    private static func build(_ ranges: [UInt32], _ form: UnicodeNormalizer.Form) -> [UInt32: [UInt32]] {
        var m: [UInt32: [UInt32]] = [:]
        forEach(ranges) { cp in m[cp] = UnicodeNormalizer.normalize([cp], form) }
        return m
    }

    private static func forEach(_ ranges: [UInt32], _ body: (UInt32) -> Void) {
        var k = 0
        while k + 1 < ranges.count {
            for cp in ranges[k]...ranges[k + 1] { body(cp) }
            k += 2
        }
    }
}
