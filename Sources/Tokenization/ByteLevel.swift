import InterestCore

/// GPT-2's byte-level scheme (Radford et al. 2019): text is split with the GPT-2 pattern and
/// every byte is shown to the model as one printable character, so any input has a spelling.
public struct ByteLevel: PreTokenizer {
    public let addPrefixSpace: Bool
    public let trimOffsets: Bool
    public let useRegex: Bool

    public init(addPrefixSpace: Bool = false, trimOffsets: Bool = true, useRegex: Bool = true) {
        self.addPrefixSpace = addPrefixSpace
        self.trimOffsets = trimOffsets
        self.useRegex = useRegex
    }

    /// The byte → character map: printable Latin-1 bytes stand for themselves, the other 68
    /// bytes for U+0100 upwards in byte order.
    static let byteToScalar: [UInt32] = {
        var map = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b) {
                map[b] = UInt32(b)
            } else {
                map[b] = next
                next += 1
            }
        }
        return map
    }()

    /// The inverse map (scalar → byte), for decoding.
    static let scalarToByte: [UInt32: UInt8] = {
        var m: [UInt32: UInt8] = [:]
        for (b, s) in byteToScalar.enumerated() { m[s] = UInt8(b) }
        return m
    }()

    public func preTokenize(_ text: inout NormalizedText, _ pieces: inout [Piece]) {
        if addPrefixSpace {
            let positions = pieces.filter { $0.end > $0.start && text.bytes[$0.start] != 0x20 }.map(\.start)
            if !positions.isEmpty {
                let inserted = text.insertSpaces(before: positions)
                // Shift every piece by the spaces inserted before it; pieces that got a space
                // start at it.
                var k = 0
                var shift = 0
                for p in pieces.indices {
                    let wantsSpace = k < positions.count && positions[k] == pieces[p].start && pieces[p].end > pieces[p].start
                    let newStart = wantsSpace ? inserted[k] : pieces[p].start + shift
                    if wantsSpace {
                        k += 1
                        shift += 1
                    }
                    pieces[p].end += shift
                    pieces[p].start = newStart
                }
            }
        }
        if useRegex {
            var out: [Piece] = []
            out.reserveCapacity(pieces.count + text.bytes.count / 4)
            text.bytes.withUnsafeBufferPointer { b in
                for piece in pieces { Self.splitGPT2(b, piece.start, piece.end, into: &out) }
            }
            pieces = out
        }
        for i in pieces.indices { pieces[i].byteLevel = true }
    }

    /// Splits `b[start..<end]` with
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    static func splitGPT2(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout [Piece]) {
        enum Kind { case letter, number, space, other }
        let classes = CharacterClass.table
        func kind(at i: Int) -> (Kind, Int) {
            let (cp, len) = b[i] < 0x80 ? (UInt32(b[i]), 1) : decodeScalar(b, i)
            let cls = classes.of(cp)
            if cls.contains(.letter) { return (.letter, len) }
            if cls.contains(.number) { return (.number, len) }
            if cls.contains(.whitespace) { return (.space, len) }
            return (.other, len)
        }
        var p = start
        while p < end {
            // Contractions.
            if b[p] == UInt8(ascii: "'") && p + 1 < end {
                let c1 = b[p + 1]
                var len = 0
                if c1 == UInt8(ascii: "s") || c1 == UInt8(ascii: "t") || c1 == UInt8(ascii: "m") || c1 == UInt8(ascii: "d") {
                    len = 2
                } else if p + 2 < end {
                    let c2 = b[p + 2]
                    if (c1 == UInt8(ascii: "r") && c2 == UInt8(ascii: "e")) || (c1 == UInt8(ascii: "v") && c2 == UInt8(ascii: "e"))
                        || (c1 == UInt8(ascii: "l") && c2 == UInt8(ascii: "l")) {
                        len = 3
                    }
                }
                if len > 0 {
                    out.append(Piece(start: p, end: p + len))
                    p += len
                    continue
                }
            }
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
            var q = p
            if b[p] == 0x20 && p + 1 < end { q = p + 1 }
            var (k, len) = kind(at: q)
            if k == .space && q != p {
                // The optional space was taken but no run follows: retry without it.
                q = p
                (k, len) = kind(at: q)
            }
            if k != .space {
                var r = q + len
                while r < end {
                    let (k2, l2) = kind(at: r)
                    if k2 != k { break }
                    r += l2
                }
                out.append(Piece(start: p, end: r))
                p = r
                continue
            }
            // `\s+(?!\S)` then `\s+`.
            var r = p
            var last = p
            while r < end {
                let (k2, l2) = kind(at: r)
                if k2 != .space { break }
                last = r
                r += l2
            }
            if r < end && last > p {
                // Leave the last space to prefix the following word.
                out.append(Piece(start: p, end: last))
                p = last
            } else {
                out.append(Piece(start: p, end: r))
                p = r
            }
        }
    }

    public var json: JSONValue {
        .object([
            ("type", "ByteLevel"), ("add_prefix_space", .bool(addPrefixSpace)),
            ("trim_offsets", .bool(trimOffsets)), ("use_regex", .bool(useRegex)),
        ])
    }
}
