/// A growable buffer of plain values in manually managed memory, for a session's hot loops:
/// appends are plain stores, with no uniqueness checks and no reference counting.
///
/// Not a value type: copies share storage, and the owner (a `TokenizerSession`) calls
/// `deallocate` exactly once. Never let one escape the session that owns it.
struct RawBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    /// Elements in use; may be set lower to drop a tail.
    var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    /// Makes room for `extra` more elements (existing pointers into the buffer go stale when
    /// it grows).
    @inline(__always) mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let c = max(needed, capacity * 2)
        let p = UnsafeMutablePointer<Element>.allocate(capacity: c)
        p.update(from: base, count: count)
        base.deallocate()
        base = p
        capacity = c
    }

    @inline(__always) mutating func append(_ x: Element) {
        reserve(1)
        base[count] = x
        count += 1
    }

    mutating func append(contentsOf xs: UnsafeBufferPointer<Element>) {
        guard let src = xs.baseAddress else { return }
        reserve(xs.count)
        (base + count).update(from: src, count: xs.count)
        count += xs.count
    }

    @inline(__always) mutating func removeAll() { count = 0 }

    @inline(__always) subscript(i: Int) -> Element {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    /// The elements in use.
    var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// The free space after the elements in use (call `reserve` first), for writing in place.
    var free: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: base + count, count: capacity - count) }

    /// A fresh array of the elements in use.
    func array() -> [Element] { Array(elements) }
}

/// Model tokens being collected for one word.
typealias TokenBuffer = RawBuffer<ModelToken>
