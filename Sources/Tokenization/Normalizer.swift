import Foundation
import InterestCore

/// A normalization stage: rewrites text in place, keeping every byte aligned to its origin.
/// Mirrors Hugging Face `tokenizers` normalizers; `json` is its `tokenizer.json` form.
public protocol Normalizer: Sendable {
    func normalize(_ text: inout NormalizedText)
    var json: JSONValue { get }
}

/// Applies normalizers in order. A Unicode normalization form followed by lowercasing runs as
/// one pass where possible: the form's scan notes what lowercasing will have to do, so the
/// text is not read again when nothing needs lowercasing.
public struct NormalizerSequence: Normalizer {
    public let normalizers: [any Normalizer]
    /// Per normalizer: its form when it is a Unicode normalization form followed by Lowercase
    /// (the two then run as one step). Plain values, so running the steps copies nothing.
    private let fusedForms: [UnicodeNormalizer.Form?]

    public init(_ normalizers: [any Normalizer]) {
        self.normalizers = normalizers
        fusedForms = normalizers.indices.map { k in
            guard k + 1 < normalizers.count, normalizers[k + 1] is Lowercase else { return nil }
            return (normalizers[k] as? UnicodeNormalizer)?.form
        }
    }

    public func normalize(_ text: inout NormalizedText) {
        var k = 0
        while k < normalizers.count {
            if let form = fusedForms[k] {
                var scan = CaseScan()
                UnicodeNormalizer(form).normalize(&text, noting: &scan)
                Lowercase.apply(scan, to: &text)
                k += 2
            } else {
                normalizers[k].normalize(&text)
                k += 1
            }
        }
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
        var scan = CaseScan()
        text.bytes.withUnsafeBufferPointer { Self.scan($0, into: &scan) }
        Self.apply(scan, to: &text)
    }

    /// Lowercases a text whose scan is `scan`: ASCII letters change in place; only a
    /// non-ASCII character that changes makes the text be rebuilt.
    static func apply(_ scan: CaseScan, to text: inout NormalizedText) {
        if scan.nonASCII {
            text.rewrite { cp, w in Self.appendLowercased(cp, to: &w) }
        } else if scan.asciiUpper {
            text.mapBytesInPlace { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
        }
    }

    /// Notes ASCII capitals and non-ASCII characters lowercasing changes (stopping at the
    /// first of those); ASCII is tested eight bytes at a time.
    private static func scan(_ b: UnsafeBufferPointer<UInt8>, into scan: inout CaseScan) {
        guard let p = b.baseAddress.map(UnsafeRawPointer.init) else { return }
        var i = 0
        while i < b.count && !scan.nonASCII {
            if i + 8 <= b.count {
                let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    scan.note(ascii: w)
                    i += 8
                    continue
                }
            }
            let x = b[i]
            if x < 0x80 {
                scan.note(ascii: x)
                i += 1
                continue
            }
            let (cp, len) = decodeScalar(b, i)
            scan.note(cp)
            i += len
        }
    }

    @inline(__always)
    static func appendLowercased(_ cp: UInt32, to w: inout Rewriter) {
        if cp < 0x80 {
            w.append(cp &- 0x41 < 26 ? cp | 0x20 : cp)
        } else if BMPSet.lowercaseChanged.contains(cp), let mapped = ScalarMaps.lowercase.scalars(cp) {
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

/// What lowercasing a text has to do, noted by whatever pass reads it.
struct CaseScan {
    /// Some ASCII capital.
    var asciiUpper = false
    /// Some non-ASCII character that lowercasing changes.
    var nonASCII = false
    /// Fetched once (a static's every access checks its lazy initialisation).
    private let changed = BMPSet.lowercaseChanged

    /// Notes eight ASCII bytes.
    @inline(__always) mutating func note(ascii w: UInt64) {
        // Bytes from 0x41 reach 0x80 when 0x3F is added; from 0x5B, when 0x25 is.
        let fromA = w &+ 0x3F3F_3F3F_3F3F_3F3F, pastZ = w &+ 0x2525_2525_2525_2525
        if fromA & ~pastZ & 0x8080_8080_8080_8080 != 0 { asciiUpper = true }
    }

    /// Notes one ASCII byte.
    @inline(__always) mutating func note(ascii x: UInt8) {
        if x &- 0x41 < 26 { asciiUpper = true }
    }

    /// Notes a character.
    @inline(__always) mutating func note(_ cp: UInt32) {
        if cp < 0x80 {
            note(ascii: UInt8(cp))
        } else if changed.contains(cp) {
            nonASCII = true
        }
    }
}

/// A pass that notes nothing (for `UnicodeNormalizer` on its own).
struct NoScan {}

/// What a scan over text can note.
protocol TextNotes {
    /// Whether the notes need every character lowercasing changes.
    static var wantsLowercase: Bool { get }
    mutating func note(ascii w: UInt64)
    mutating func note(ascii x: UInt8)
    mutating func note(_ cp: UInt32)
}

extension CaseScan: TextNotes {
    static var wantsLowercase: Bool { true }
}

extension NoScan: TextNotes {
    static var wantsLowercase: Bool { false }
    @inline(__always) mutating func note(ascii w: UInt64) {}
    @inline(__always) mutating func note(ascii x: UInt8) {}
    @inline(__always) mutating func note(_ cp: UInt32) {}
}
