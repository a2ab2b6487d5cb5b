import Dispatch
import Synchronization

/// Maps `items` on up to `threads` threads (contiguous chunks, one `makeState()` per chunk for
/// per-thread scratch such as caches), returning results in input order.
///
/// - Complexity: O(n) work split evenly; one lock per chunk to hand results back.
public func parallelMap<T: Sendable, State, R: Sendable>(
    _ items: [T], threads: Int, makeState: @Sendable () -> State, _ body: @Sendable (inout State, T) -> R
) -> [R] {
    let n = items.count
    let chunks = max(1, min(threads, n))
    if chunks == 1 {
        var state = makeState()
        return items.map { body(&state, $0) }
    }
    let gathered = Mutex<[[R]]>(Array(repeating: [], count: chunks))
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = c * n / chunks
        let hi = (c + 1) * n / chunks
        var state = makeState()
        var local: [R] = []
        local.reserveCapacity(hi - lo)
        for i in lo..<hi { local.append(body(&state, items[i])) }
        gathered.withLock { $0[c] = local }
    }
    return gathered.withLock { parts in parts.flatMap { $0 } }
}

/// Runs `body(chunk, range)` for `chunks` contiguous ranges of `0..<count` in parallel.
public func parallelChunks(count: Int, chunks requested: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
    let chunks = max(1, min(requested, count))
    if chunks == 1 {
        body(0, 0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        body(c, (c * count / chunks)..<((c + 1) * count / chunks))
    }
}

/// A thread-safe counter for handing out work (`add` returns the value before adding).
public final class AtomicCounter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    public func add(_ n: Int) -> Int {
        value.add(n, ordering: .relaxed).oldValue
    }
}

/// Raw float memory written by several threads at disjoint indices (factor rows in ALS, the
/// Hogwild updates of BPR and skip-gram). The owner creates it, threads write rows, the owner
/// reads it back after the parallel section ends.
public final class SharedFloats: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(1, values.count))
        pointer.initialize(from: values, count: values.count)
    }

    deinit { pointer.deallocate() }

    public func array() -> [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// A pointer handed to the workers of one parallel section, who only read through it or each
/// write their own disjoint part (the section ends before the memory does).
public struct SendablePointer<Pointer>: @unchecked Sendable {
    public let pointer: Pointer
    public init(_ pointer: Pointer) { self.pointer = pointer }
}
