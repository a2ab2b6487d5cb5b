import Foundation
import InterestCore

/// The four Unicode normalization forms (UAX #15), as HF computes them.
public struct UnicodeNormalizer: Normalizer {
    public enum Form: String, Sendable, CaseIterable { case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD" }
    public let form: Form
    public init(_ form: Form) { self.form = form }

    public func normalize(_ text: inout NormalizedText) {
        var notes = NoScan()
        normalize(&text, noting: &notes)
    }

    /// Normalizes `text`, noting every character of the result (more, possibly: characters
    /// of replaced runs too) in `notes`.
    func normalize<Notes: TextNotes>(_ text: inout NormalizedText, noting notes: inout Notes) {
        // Characters a form may change on their own; everything else is copied untouched.
        let changing: BMPSet = switch form {
        case .nfc, .nfd: .nfdChanged
        case .nfkc: .nfkcChanged
        case .nfkd: .nfkdChanged
        }
        let unsafe = BMPSet.unsafeStart
        // Characters the scan stops at: those the form may change, those that may combine,
        // and those the notes want to see.
        let watched = BMPSet.watched(by: form, lowercase: Notes.wantsLowercase)
        // Text is cut into runs: a character plus the following characters that may combine
        // with it. Only runs that may change are rewritten; the bytes between are copied.
        guard let first = text.bytes.withUnsafeBufferPointer({ Self.nextChange($0, from: 0, watched, changing, unsafe, &notes) }) else { return }
        let single = switch form {
        case .nfc: ScalarMaps.nfc
        case .nfd: ScalarMaps.nfd
        case .nfkc: ScalarMaps.nfkc
        case .nfkd: ScalarMaps.nfkd
        }
        // One changed character comes from the per-character map, longer runs go through
        // Foundation.
        text.rewriteBytes { b, w in
            let n = b.count
            var pending = 0  // start of bytes to copy unchanged
            var next: Int? = first
            while let i = next {
                let (cp, len) = decodeScalar(b, i)
                var j = i + len
                while j < n && b[j] >= 0x80 {
                    let (c, l) = decodeScalar(b, j)
                    guard unsafe.contains(c) else { break }
                    j += l
                }
                w.copy(pending, i)
                if j == i + len {
                    if let bytes = single.utf8(cp), let scalars = single.scalars(cp) {
                        for c in scalars { notes.note(c) }
                        w.emit(utf8: bytes, from: i, j)
                    } else {
                        let scalars = Self.normalize([cp], form)
                        for c in scalars { notes.note(c) }
                        w.emit(scalars, from: i, j)
                    }
                } else {
                    var run: [UInt32] = []
                    var k = i
                    while k < j {
                        let (c, l) = decodeScalar(b, k)
                        run.append(c)
                        k += l
                    }
                    let scalars = Self.normalize(run, form)
                    for c in scalars { notes.note(c) }
                    w.emit(scalars, from: i, j)
                }
                pending = j
                next = Self.nextChange(b, from: j, watched, changing, unsafe, &notes)
            }
            w.copy(pending, n)
        }
    }

    /// Where the next run from `start` (a run boundary) that may change starts: at a character
    /// of `changing`, or before a character that may combine with the one before it; nil when
    /// nothing more changes. ASCII is skipped eight bytes at a time; characters passed over
    /// are noted.
    private static func nextChange<Notes: TextNotes>(_ b: UnsafeBufferPointer<UInt8>, from start: Int, _ watched: BMPSet, _ changing: BMPSet,
                                                     _ unsafe: BMPSet, _ notes: inout Notes) -> Int? {
        guard let p = b.baseAddress.map(UnsafeRawPointer.init) else { return nil }
        var i = start
        var previous = start
        while i < b.count {
            if i + 8 <= b.count {
                let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    notes.note(ascii: w)
                    previous = i + 7
                    i += 8
                    continue
                }
            }
            if b[i] < 0x80 {
                notes.note(ascii: b[i])
                previous = i
                i += 1
                continue
            }
            let (cp, len) = decodeScalar(b, i)
            guard watched.contains(cp) else {
                previous = i
                i += len
                continue
            }
            if unsafe.contains(cp) && i > start { return previous }
            if changing.contains(cp) { return i }
            notes.note(cp)
            previous = i
            i += len
        }
        return nil
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
    static let lowercase: ScalarMap = {
        var entries: [(UInt32, [UInt32])] = []
        forEach(UnicodeTables.lowercaseChanged) { cp in
            if let s = Unicode.Scalar(cp) { entries.append((cp, s.properties.lowercaseMapping.unicodeScalars.map(\.value))) }
        }
        return ScalarMap(entries)
    }()

    private static func build(_ ranges: [UInt32], _ form: UnicodeNormalizer.Form) -> ScalarMap {
        var entries: [(UInt32, [UInt32])] = []
        forEach(ranges) { cp in entries.append((cp, UnicodeNormalizer.normalize([cp], form))) }
        return ScalarMap(entries)
    }

    private static func forEach(_ ranges: [UInt32], _ body: (UInt32) -> Void) {
        var k = 0
        while k + 1 < ranges.count {
            for cp in ranges[k]...ranges[k + 1] { body(cp) }
            k += 2
        }
    }
}
