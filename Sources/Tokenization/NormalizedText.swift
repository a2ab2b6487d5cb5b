/// Text on its way through the normalizers, as UTF-8, with every normalized byte aligned to the
/// original character it came from, so tokens can report offsets into the caller's string.
///
/// The alignment is sparse: a list of `AlignedSpan`s, each covering normalized bytes from its
/// start to the next span's, either copied unchanged from the original (aligned byte for byte,
/// with a shift) or a block replacing some original range as a whole. A text no transformation
/// has changed in length has no spans (the identity), and a line where NFKC turns a few
/// full-width commas into ASCII gets a handful, so normalizing costs nothing per byte. A text
/// can be `reset` to new input and keeps its buffers' capacity.
public struct NormalizedText: Sendable {
    /// The normalized UTF-8 bytes.
    public private(set) var bytes: [UInt8]
    /// Offset of this text's first original byte in the whole input (texts are split around
    /// added tokens before normalization).
    public private(set) var base: Int
    /// The alignment, ascending by `start`, the first starting at 0; empty for the identity.
    private(set) var spans: [AlignedSpan] = []
    /// The buffers of the content before the last rewrite, recycled by the next one.
    private var spareBytes: [UInt8] = []
    private var spareSpans: [AlignedSpan] = []

    /// Wraps original UTF-8 (assumed valid) starting at `base` in the whole input.
    public init(_ bytes: [UInt8], base: Int = 0) {
        self.bytes = bytes
        self.base = base
    }

    public init(_ string: String) {
        self.init(Array(string.utf8))
    }

    /// Replaces the content by original UTF-8 (assumed valid) starting at `base`, keeping the
    /// buffers' capacity.
    mutating func reset(_ original: UnsafeBufferPointer<UInt8>, base: Int) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: original)
        spans.removeAll(keepingCapacity: true)
        self.base = base
    }

    /// The normalized text as a string.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public var isASCII: Bool {
        bytes.withUnsafeBufferPointer { b in
            var acc: UInt8 = 0
            for x in b { acc |= x }
            return acc < 0x80
        }
    }

    /// True when some non-ASCII character belongs to `classes`.
    func containsNonASCII(of classes: CharacterClass) -> Bool {
        let table = CharacterClass.table
        return bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                if b[i] < 0x80 {
                    i += 1
                    continue
                }
                let (cp, len) = decodeScalar(b, i)
                if !table.of(cp).isDisjoint(with: classes) { return true }
                i += len
            }
            return false
        }
    }

    /// Original byte range (absolute) of the normalized byte range `start..<end`.
    public func originalRange(_ start: Int, _ end: Int) -> (Int, Int) {
        withView { view in
            guard end > start else {
                let p = start < bytes.count ? view.originStart(start) : (bytes.isEmpty ? 0 : view.originEnd(bytes.count - 1))
                return (base + p, base + p)
            }
            return (base + view.originStart(start), base + view.originEnd(end - 1))
        }
    }

    /// Original start (relative to `base`) of the character containing normalized byte `i`.
    func originStart(_ i: Int) -> Int { withView { $0.originStart(i) } }

    /// Original end (relative to `base`) of the character containing normalized byte `i`.
    func originEnd(_ i: Int) -> Int { withView { $0.originEnd(i) } }

    /// Calls `body` with borrowed buffers of the bytes and alignment (no per-lookup
    /// reference counting in hot loops).
    func withView<R>(_ body: (TextView) -> R) -> R {
        bytes.withUnsafeBufferPointer { b in
            spans.withUnsafeBufferPointer { s in body(TextView(bytes: b, spans: s, base: base)) }
        }
    }

    /// Replaces bytes one for one (same length, so alignment is unchanged).
    mutating func mapBytesInPlace(_ f: (UInt8) -> UInt8) {
        bytes.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = f(b[i]) }
        }
    }

    /// An empty output for a rewrite, in the recycled buffers (moved, never copied, so they stay
    /// uniquely owned).
    mutating func makeOutput(capacity: Int) -> AlignedOutput {
        var out = AlignedOutput(bytes: [], spans: [])
        swap(&out.bytes, &spareBytes)
        swap(&out.spans, &spareSpans)
        out.bytes.removeAll(keepingCapacity: true)
        out.bytes.reserveCapacity(capacity)
        out.spans.removeAll(keepingCapacity: true)
        return out
    }

    /// Takes a rewrite's output as the content; the previous buffers are kept for the next.
    mutating func commit(_ out: consuming AlignedOutput) {
        var out = out
        swap(&bytes, &out.bytes)
        swap(&spans, &out.spans)
        swap(&spareBytes, &out.bytes)
        swap(&spareSpans, &out.spans)
        // One copied span from 0 with no shift is the identity.
        if spans.count == 1 && !spans[0].isBlock && spans[0].originStart == 0 { spans.removeAll(keepingCapacity: true) }
    }

    /// A copy of the normalized bytes `start..<end` (whole characters) with their alignment.
    func slice(_ start: Int, _ end: Int) -> NormalizedText {
        var text = NormalizedText([], base: base)
        var out = text.makeOutput(capacity: end - start)
        withView { view in
            var w = ByteRewriter(source: view, out: AlignedOutput(bytes: [], spans: []))
            swap(&w.out, &out)
            w.copy(start, end)
            swap(&w.out, &out)
        }
        text.commit(out)
        return text
    }
}

/// Where normalized bytes from `start` up to the next span come from.
struct AlignedSpan: BitwiseCopyable {
    /// First normalized byte.
    var start: Int32
    /// Block: the original range every byte is aligned to. Copied: byte `i` came from original
    /// byte `originStart + i - start` (and its character's end likewise); `originEnd` unused.
    var originStart: Int32
    var originEnd: Int32
    var isBlock: Bool
}

/// A borrowed view of a `NormalizedText` for hot loops.
struct TextView {
    let bytes: UnsafeBufferPointer<UInt8>
    let spans: UnsafeBufferPointer<AlignedSpan>
    let base: Int

    /// End of the character containing normalized byte `i`.
    @inline(__always) func characterEnd(_ i: Int) -> Int {
        var k = i + 1
        while k < bytes.count && bytes[k] & 0xC0 == 0x80 { k += 1 }
        return k
    }

    /// Index of the span containing normalized byte `i` (spans not empty).
    func spanIndex(_ i: Int) -> Int {
        var lo = 0
        var hi = spans.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(spans[mid].start) <= i { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Original start (relative to `base`) of normalized byte `i`.
    func originStart(_ i: Int) -> Int {
        guard !spans.isEmpty else { return i }
        return start(of: spans[spanIndex(i)], i)
    }

    /// Original end (relative to `base`) of the character containing normalized byte `i`.
    func originEnd(_ i: Int) -> Int {
        guard !spans.isEmpty else { return characterEnd(i) }
        return end(of: spans[spanIndex(i)], i)
    }

    @inline(__always) private func start(of s: AlignedSpan, _ i: Int) -> Int {
        s.isBlock ? Int(s.originStart) : Int(s.originStart) + i - Int(s.start)
    }

    @inline(__always) private func end(of s: AlignedSpan, _ i: Int) -> Int {
        s.isBlock ? Int(s.originEnd) : Int(s.originStart) + characterEnd(i) - Int(s.start)
    }

    /// Original (absolute) byte range of normalized bytes `start..<end` (end > start). For
    /// ranges met in ascending order: `cursor` (start at 0) remembers the span reached.
    @inline(__always) func originalRange(_ start: Int, _ end: Int, cursor: inout Int) -> (Int, Int) {
        guard !spans.isEmpty else { return (base + start, base + characterEnd(end - 1)) }
        if cursor >= spans.count || Int(spans[cursor].start) > start { cursor = spanIndex(start) }
        while cursor + 1 < spans.count && Int(spans[cursor + 1].start) <= start { cursor += 1 }
        let s = self.start(of: spans[cursor], start)
        while cursor + 1 < spans.count && Int(spans[cursor + 1].start) <= end - 1 { cursor += 1 }
        return (base + s, base + self.end(of: spans[cursor], end - 1))
    }
}
