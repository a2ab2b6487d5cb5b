/// Text on its way through the normalizers, as UTF-8, with every normalized byte aligned to the
/// original character it came from, so tokens can report offsets into the caller's string.
///
/// While a transformation keeps every byte in place (ASCII lowercasing, whitespace mapping) the
/// alignment stays implicit (the identity); the first transformation that changes lengths
/// materialises it.
public struct NormalizedText: Sendable {
    /// The normalized UTF-8 bytes.
    public private(set) var bytes: [UInt8]
    /// Offset of this text's first original byte in the whole input (texts are split around
    /// added tokens before normalization).
    public let base: Int
    /// For each normalized byte, the original byte range of the character it came from
    /// (relative to `base`); nil while the alignment is the identity.
    private(set) var alignStart: [Int32]?
    private(set) var alignEnd: [Int32]?

    /// Wraps original UTF-8 (assumed valid) starting at `base` in the whole input.
    public init(_ bytes: [UInt8], base: Int = 0) {
        self.bytes = bytes
        self.base = base
    }

    public init(_ string: String) {
        self.init(Array(string.utf8))
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
    @inline(__always)
    public func originalRange(_ start: Int, _ end: Int) -> (Int, Int) {
        guard end > start else {
            let p = start < bytes.count ? originStart(start) : (bytes.isEmpty ? 0 : originEnd(bytes.count - 1))
            return (base + p, base + p)
        }
        return (base + originStart(start), base + originEnd(end - 1))
    }

    @inline(__always) func originStart(_ i: Int) -> Int {
        if let a = alignStart { return Int(a[i]) }
        return i
    }

    @inline(__always) func originEnd(_ i: Int) -> Int {
        if let a = alignEnd { return Int(a[i]) }
        // Identity: the end of the character containing byte i.
        var k = i + 1
        while k < bytes.count && bytes[k] & 0xC0 == 0x80 { k += 1 }
        return k
    }

    /// Calls `body` with borrowed buffers of the bytes and alignment (no per-lookup
    /// reference counting in hot loops).
    func withView<R>(_ body: (TextView) -> R) -> R {
        bytes.withUnsafeBufferPointer { b in
            if let s = alignStart, let e = alignEnd {
                return s.withUnsafeBufferPointer { sp in
                    e.withUnsafeBufferPointer { ep in body(TextView(bytes: b, starts: sp, ends: ep, base: base)) }
                }
            }
            return body(TextView(bytes: b, starts: nil, ends: nil, base: base))
        }
    }

    mutating func setAlignment(_ starts: [Int32], _ ends: [Int32]) {
        alignStart = starts
        alignEnd = ends
    }

    /// Replaces bytes one for one (same length, so alignment is unchanged).
    mutating func mapBytesInPlace(_ f: (UInt8) -> UInt8) {
        bytes.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = f(b[i]) }
        }
    }

    /// Rebuilds the text scalar by scalar: `body` appends the replacement of each scalar (any
    /// number of scalars) to the rewriter, aligned to that scalar's original character.
    mutating func rewrite(_ body: (UInt32, inout Rewriter) -> Void) {
        var w = Rewriter(capacity: bytes.count + bytes.count / 4)
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                let (cp, len) = decodeScalar(b, i)
                w.originStart = Int32(originStart(i))
                w.originEnd = Int32(originEnd(i))
                body(cp, &w)
                i += len
            }
        }
        bytes = w.bytes
        alignStart = w.starts
        alignEnd = w.ends
    }

    /// Rebuilds the text with direct access to its bytes: `body` copies byte ranges unchanged
    /// (`copy`) or replaces them by scalars aligned to their whole original range (`emit`).
    mutating func rewriteBytes(_ body: (UnsafeBufferPointer<UInt8>, inout ByteRewriter) -> Void) {
        var w = ByteRewriter(source: self)
        bytes.withUnsafeBufferPointer { b in body(b, &w) }
        bytes = w.bytes
        alignStart = w.starts
        alignEnd = w.ends
    }

    /// Rebuilds the text in runs: `body` receives each maximal run of scalars for which `split`
    /// says "starts a run here" only at the run's start, and appends the run's replacement,
    /// aligned to the whole run's original range (used for normalization forms, whose units
    /// are a starter and the marks that follow it).
    mutating func rewriteRuns(startsRun: (UInt32) -> Bool, _ body: ([UInt32], inout Rewriter) -> Void) {
        var w = Rewriter(capacity: bytes.count + bytes.count / 4)
        var run: [UInt32] = []
        var runStart: Int32 = 0
        var runEnd: Int32 = 0
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                let (cp, len) = decodeScalar(b, i)
                let s = Int32(originStart(i))
                let e = Int32(originEnd(i))
                if !run.isEmpty && startsRun(cp) {
                    w.originStart = runStart
                    w.originEnd = runEnd
                    body(run, &w)
                    run.removeAll(keepingCapacity: true)
                }
                if run.isEmpty {
                    runStart = s
                    runEnd = e
                } else {
                    runEnd = max(runEnd, e)
                }
                run.append(cp)
                i += len
            }
            if !run.isEmpty {
                w.originStart = runStart
                w.originEnd = runEnd
                body(run, &w)
            }
        }
        bytes = w.bytes
        alignStart = w.starts
        alignEnd = w.ends
    }

    /// Inserts a space before each of the given normalized byte offsets (ascending), aligned to
    /// the character that follows it. Returns the new offsets of the inserted spaces.
    mutating func insertSpaces(before positions: [Int]) -> [Int] {
        guard !positions.isEmpty else { return [] }
        var w = Rewriter(capacity: bytes.count + positions.count)
        var inserted: [Int] = []
        var next = 0
        for i in 0...bytes.count {
            if next < positions.count && positions[next] == i {
                let anchor = i < bytes.count ? i : max(0, bytes.count - 1)
                w.originStart = Int32(bytes.isEmpty ? 0 : originStart(anchor))
                w.originEnd = w.originStart
                inserted.append(w.bytes.count)
                w.append(0x20)
                next += 1
            }
            if i < bytes.count {
                w.originStart = Int32(originStart(i))
                w.originEnd = Int32(originEnd(i))
                w.bytes.append(bytes[i])
                w.starts.append(w.originStart)
                w.ends.append(w.originEnd)
            }
        }
        bytes = w.bytes
        alignStart = w.starts
        alignEnd = w.ends
        return inserted
    }
}

/// Output side of `NormalizedText.rewrite`: appends scalars aligned to the current origin.
struct Rewriter {
    var bytes: [UInt8] = []
    var starts: [Int32] = []
    var ends: [Int32] = []
    var originStart: Int32 = 0
    var originEnd: Int32 = 0

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
    }

    @inline(__always) mutating func append(_ cp: UInt32) {
        let before = bytes.count
        appendUTF8(cp, to: &bytes)
        for _ in before..<bytes.count {
            starts.append(originStart)
            ends.append(originEnd)
        }
    }
}

/// Output side of `NormalizedText.rewriteBytes`.
struct ByteRewriter {
    let source: NormalizedText
    var bytes: [UInt8] = []
    var starts: [Int32] = []
    var ends: [Int32] = []

    init(source: NormalizedText) {
        self.source = source
        let capacity = source.bytes.count + source.bytes.count / 4
        bytes.reserveCapacity(capacity)
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
    }

    /// Copies source bytes `from..<to` (whole characters) with their alignment.
    mutating func copy(_ from: Int, _ to: Int) {
        guard to > from else { return }
        bytes.append(contentsOf: source.bytes[from..<to])
        if let s = source.alignStart, let e = source.alignEnd {
            starts.append(contentsOf: s[from..<to])
            ends.append(contentsOf: e[from..<to])
            return
        }
        // Identity alignment: byte i starts at i and ends where its character ends.
        source.bytes.withUnsafeBufferPointer { b in
            var i = from
            while i < to {
                let l = utf8Length(b[i])
                let end = Int32(i + l)
                for k in 0..<l {
                    starts.append(Int32(i + k))
                    ends.append(end)
                }
                i += l
            }
        }
    }

    /// Appends `scalars` aligned to the original range of source bytes `from..<to`.
    mutating func emit(_ scalars: [UInt32], from: Int, _ to: Int) {
        let s = Int32(source.originStart(from))
        let e = Int32(source.originEnd(to - 1))
        for cp in scalars {
            let before = bytes.count
            appendUTF8(cp, to: &bytes)
            for _ in before..<bytes.count {
                starts.append(s)
                ends.append(e)
            }
        }
    }
}

/// A borrowed view of a `NormalizedText` for hot loops.
struct TextView {
    let bytes: UnsafeBufferPointer<UInt8>
    let starts: UnsafeBufferPointer<Int32>?
    let ends: UnsafeBufferPointer<Int32>?
    let base: Int

    /// Original (absolute) byte range of normalized bytes `start..<end` (end > start).
    @inline(__always) func originalRange(_ start: Int, _ end: Int) -> (Int, Int) {
        if let s = starts, let e = ends { return (base + Int(s[start]), base + Int(e[end - 1])) }
        var k = end
        while k < bytes.count && bytes[k] & 0xC0 == 0x80 { k += 1 }
        return (base + start, base + k)
    }
}
