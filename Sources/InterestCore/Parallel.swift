import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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
    parallelPerform(iterations: chunks) { c in
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
    parallelPerform(iterations: chunks) { c in
        body(c, (c * count / chunks)..<((c + 1) * count / chunks))
    }
}

/// Runs `body(0)` … `body(iterations − 1)` in parallel and returns when all have run — as
/// `DispatchQueue.concurrentPerform`, whose workers run at normal priority, unless the calling
/// thread runs at a lower one (a niceness above 0: a service's training run): then on threads
/// started for the call, which inherit its niceness (Linux applies niceness per thread and a
/// new thread takes its creator's), so work the caller put at a low priority does not come
/// back at normal priority on the shared workers. Each started thread costs tens of µs; the
/// sections that use this are coarse (a chunk of rows per core).
public func parallelPerform(iterations: Int, _ body: @Sendable (Int) -> Void) {
    guard iterations > 1 else {
        if iterations == 1 { body(0) }
        return
    }
    #if os(Linux)
    guard let workers = NicedWorkers.count(for: iterations) else {
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
        return
    }
    withoutActuallyEscaping(body) { escaping in
        let work = NicedWorkers.Work(body: escaping, iterations: iterations)
        var started: [pthread_t] = []
        for _ in 0..<workers {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(work).toOpaque()
            if pthread_create(&thread, nil, { context in
                Unmanaged<NicedWorkers.Work>.fromOpaque(context!).takeRetainedValue().drain()
                return nil
            }, context) == 0 {
                started.append(thread)
            } else {
                Unmanaged<NicedWorkers.Work>.fromOpaque(context).release()
            }
        }
        work.drain()
        for thread in started { pthread_join(thread, nil) }
    }
    #else
    DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    #endif
}

/// The threads of a low-priority ``parallelPerform(iterations:_:)``.
enum NicedWorkers {
    /// How many threads to start beside the caller, or nil when the caller runs at normal
    /// priority (or the platform applies niceness per process).
    static func count(for iterations: Int) -> Int? {
        #if os(Linux)
        errno = 0
        let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        guard errno == 0, nice > 0 else { return nil }
        return min(iterations, max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))) - 1
        #else
        return nil
        #endif
    }

    /// The iterations, handed out one at a time to the caller and the started threads.
    final class Work: Sendable {
        let body: @Sendable (Int) -> Void
        let iterations: Int
        let next = Atomic<Int>(0)

        init(body: @escaping @Sendable (Int) -> Void, iterations: Int) {
            self.body = body
            self.iterations = iterations
        }

        func drain() {
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < iterations else { return }
                body(i)
            }
        }
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
