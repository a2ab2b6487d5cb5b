import InterestCore

extension NormalizedText {
    /// Rebuilds the text scalar by scalar: `body` appends the replacement of each scalar (any
    /// number of scalars) to the rewriter, aligned to that scalar's original character.
    mutating func rewrite(_ body: (UInt32, inout Rewriter) -> Void) {
        var w = Rewriter(out: makeOutput(capacity: bytes.count + bytes.count / 4 + 16))
        withView { view in
            let b = view.bytes
            var cursor = 0
            var i = 0
            while i < b.count {
                let (cp, len) = decodeScalar(b, i)
                (w.originStart, w.originEnd) = view.origin(of: i, cursor: &cursor)
                body(cp, &w)
                i += len
            }
        }
        commit(w.out)
    }

    /// Rebuilds the text with direct access to its bytes: `body` copies byte ranges unchanged
    /// (`copy`) or replaces them by scalars aligned to their whole original range (`emit`).
    mutating func rewriteBytes(_ body: (UnsafeBufferPointer<UInt8>, inout ByteRewriter) -> Void) {
        var out = makeOutput(capacity: bytes.count + bytes.count / 4 + 16)
        withView { view in
            var w = ByteRewriter(source: view, out: AlignedOutput(bytes: [], spans: []))
            swap(&w.out, &out)
            body(view.bytes, &w)
            swap(&w.out, &out)
        }
        commit(out)
    }

    /// Inserts a space before each of the given normalized byte offsets (strictly ascending),
    /// aligned to the start of the character that follows it. Returns the new offsets of the
    /// inserted spaces.
    mutating func insertSpaces(before positions: [Int]) -> [Int] {
        guard !positions.isEmpty else { return [] }
        var out = makeOutput(capacity: bytes.count + positions.count)
        var inserted: [Int] = []
        withView { view in
            var w = ByteRewriter(source: view, out: AlignedOutput(bytes: [], spans: []))
            swap(&w.out, &out)
            var previous = 0
            for p in positions where p <= view.bytes.count {
                w.copy(previous, p)
                let anchor = p < view.bytes.count ? p : max(0, view.bytes.count - 1)
                let origin = view.bytes.isEmpty ? 0 : view.originStart(anchor)
                inserted.append(w.out.count)
                w.out.appendScalar(0x20, origin, origin)
                previous = p
            }
            w.copy(previous, view.bytes.count)
            swap(&w.out, &out)
        }
        commit(out)
        return inserted
    }
}

extension TextView {
    /// Original range (relative to `base`) of the character at normalized byte `i`; for bytes
    /// met in ascending order, `cursor` (start at 0) remembers the span reached.
    @inline(__always) func origin(of i: Int, cursor: inout Int) -> (Int, Int) {
        guard !spans.isEmpty else { return (i, characterEnd(i)) }
        while cursor + 1 < spans.count && Int(spans[cursor + 1].start) <= i { cursor += 1 }
        let s = spans[cursor]
        if s.isBlock { return (Int(s.originStart), Int(s.originEnd)) }
        let shift = Int(s.originStart) - Int(s.start)
        return (i + shift, characterEnd(i) + shift)
    }
}

/// Output of a rewrite: bytes and their sparse alignment (in buffers recycled from the text's
/// previous content).
struct AlignedOutput {
    var bytes: [UInt8]
    var spans: [AlignedSpan]

    var count: Int { bytes.count }

    /// Appends bytes that came unchanged from the original, the first from original byte
    /// `origin` (relative to the text's base).
    mutating func appendCopied(_ source: UnsafeBufferPointer<UInt8>, origin: Int) {
        guard !source.isEmpty else { return }
        markCopied(at: bytes.count, origin: origin)
        bytes.append(contentsOf: source)
    }

    /// Appends bytes (whole characters) all aligned to original `start..<end`.
    mutating func appendBlock(_ source: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        guard !source.isEmpty else { return }
        markBlock(at: bytes.count, length: source.count, start, end)
        bytes.append(contentsOf: source)
    }

    /// Appends the UTF-8 of `cp`, aligned to original `start..<end`.
    @inline(__always) mutating func appendScalar(_ cp: UInt32, _ start: Int, _ end: Int) {
        let n = bytes.count
        appendUTF8(cp, to: &bytes)
        markBlock(at: n, length: bytes.count - n, start, end)
    }

    private mutating func markCopied(at n: Int, origin: Int) {
        if let last = spans.last, !last.isBlock && Int(last.originStart) + n - Int(last.start) == origin { return }
        spans.append(AlignedSpan(start: Int32(n), originStart: Int32(origin), originEnd: 0, isBlock: false))
    }

    private mutating func markBlock(at n: Int, length: Int, _ start: Int, _ end: Int) {
        // One ASCII byte from one original byte is aligned as a copied byte would be.
        if length == 1 && end == start + 1 {
            markCopied(at: n, origin: start)
            return
        }
        if let last = spans.last, last.isBlock && Int(last.originStart) == start && Int(last.originEnd) == end { return }
        spans.append(AlignedSpan(start: Int32(n), originStart: Int32(start), originEnd: Int32(end), isBlock: true))
    }
}

/// Output side of `NormalizedText.rewrite`: appends scalars aligned to the current origin.
struct Rewriter {
    var out: AlignedOutput
    var originStart = 0
    var originEnd = 0

    @inline(__always) mutating func append(_ cp: UInt32) {
        out.appendScalar(cp, originStart, originEnd)
    }
}

/// Output side of `NormalizedText.rewriteBytes`.
struct ByteRewriter {
    let source: TextView
    var out: AlignedOutput

    /// Copies source bytes `from..<to` (whole characters) with their alignment.
    mutating func copy(_ from: Int, _ to: Int) {
        guard to > from else { return }
        let b = source.bytes
        guard !source.spans.isEmpty else {
            out.appendCopied(UnsafeBufferPointer(rebasing: b[from..<to]), origin: from)
            return
        }
        var k = source.spanIndex(from)
        var i = from
        while i < to {
            let s = source.spans[k]
            let j = min(to, k + 1 < source.spans.count ? Int(source.spans[k + 1].start) : b.count)
            let part = UnsafeBufferPointer(rebasing: b[i..<j])
            if s.isBlock {
                out.appendBlock(part, Int(s.originStart), Int(s.originEnd))
            } else {
                out.appendCopied(part, origin: Int(s.originStart) + i - Int(s.start))
            }
            i = j
            k += 1
        }
    }

    /// Appends UTF-8 `bytes` (whole characters) aligned to the original range of source bytes
    /// `from..<to`.
    mutating func emit(utf8 bytes: UnsafeBufferPointer<UInt8>, from: Int, _ to: Int) {
        out.appendBlock(bytes, source.originStart(from), source.originEnd(to - 1))
    }

    /// Appends `scalars` aligned to the original range of source bytes `from..<to`.
    mutating func emit(_ scalars: [UInt32], from: Int, _ to: Int) {
        let s = source.originStart(from)
        let e = source.originEnd(to - 1)
        for cp in scalars { out.appendScalar(cp, s, e) }
    }
}
