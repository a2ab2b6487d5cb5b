import Foundation
import InterestCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `parallelPerform` runs every iteration once, at the caller's priority.
@Suite struct ParallelTests {
    /// The calling thread's niceness (Linux: per thread).
    static func niceness() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    /// Runs `parallelPerform` on a new thread at niceness `nice`; returns how often each
    /// iteration ran and the niceness each one saw.
    static func run(iterations: Int, nice: Int32) -> (counts: [Int], nices: [Int32]) {
        let counts = Mutex([Int](repeating: 0, count: iterations))
        let nices = Mutex([Int32](repeating: -1, count: iterations))
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            if nice > 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
            parallelPerform(iterations: iterations) { i in
                // Enough work that the started threads take some iterations.
                var x = 0.0
                for k in 0..<20_000 { x += Double(k).squareRoot() }
                let seen = Self.niceness()
                counts.withLock { $0[i] += x > 0 ? 1 : 0 }
                nices.withLock { $0[i] = seen }
            }
            done.signal()
        }
        thread.start()
        done.wait()
        return (counts.withLock { $0 }, nices.withLock { $0 })
    }

    @Test func everyIterationRunsOnceAtNormalPriority() {
        for n in [0, 1, 2, 7, 64] {
            let (counts, _) = Self.run(iterations: n, nice: 0)
            #expect(counts == [Int](repeating: 1, count: n))
        }
    }

    @Test func aNicedCallerKeepsItsNicenessOnEveryIteration() {
        // Raising niceness needs no privilege; the test thread's own starts at the process's.
        let base = Self.niceness()
        guard base < 15 else { return }
        let (counts, nices) = Self.run(iterations: 16, nice: 15)
        #expect(counts == [Int](repeating: 1, count: 16))
        #expect(nices.allSatisfy { $0 == 15 }, "niceness seen by each iteration: \(nices)")
    }
}
