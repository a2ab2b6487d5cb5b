import Foundation
import InterestCore
import Synchronization

/// The shop page's database counts, taken off the request path. Counting the event tables is
/// O(events) on both backends — 3.3 s per shop page on the 100,000-user shop when each page
/// counted for itself — so a page shows the last count with its time and age, and a page that
/// finds the count older than ``maxAge`` (or none yet) starts a new one on a thread of its own,
/// at most one at a time. A page waits up to ``firstWait`` for a count it started when there is
/// none to show (a small shop's count is done by then); a large shop's first page says that
/// counting has begun. Memory: one `DatabaseStats`. Per request: O(1).
final class ShopCounts: Sendable {
    struct Taken: Sendable {
        let stats: DatabaseStats
        /// When the count finished.
        let at: Date
        /// How long it took.
        let seconds: Double
    }

    /// What a page shows: the last count (if any), a count running since (if one is), and the
    /// last count's failure (if it failed).
    struct View: Sendable {
        let taken: Taken?
        let countingSince: Date?
        let failure: String?
        let maxAge: Duration
    }

    let maxAge: Duration
    let firstWait: Duration
    private let count: @Sendable () throws -> DatabaseStats
    private let state = Mutex<(taken: Taken?, countingSince: Date?, failure: String?)>((nil, nil, nil))

    init(maxAge: Duration = .seconds(60), firstWait: Duration = .seconds(1), count: @escaping @Sendable () throws -> DatabaseStats) {
        self.maxAge = maxAge
        self.firstWait = firstWait
        self.count = count
    }

    /// The counts to show now; starts a new count when the last one is too old.
    func view() -> View {
        let now = Date()
        let started = state.withLock { s -> Bool in
            guard s.countingSince == nil else { return false }
            if let taken = s.taken, now.timeIntervalSince(taken.at) < maxAge.seconds { return false }
            s.countingSince = now
            return true
        }
        if started {
            Thread.detachNewThread { [self] in refresh() }
            if state.withLock({ $0.taken == nil }) {
                let deadline = ContinuousClock.now + firstWait
                while ContinuousClock.now < deadline, state.withLock({ $0.countingSince != nil }) {
                    Thread.sleep(forTimeInterval: 0.01)
                }
            }
        }
        return state.withLock { View(taken: $0.taken, countingSince: $0.countingSince, failure: $0.failure, maxAge: maxAge) }
    }

    private func refresh() {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let stats = try count()
            let taken = Taken(stats: stats, at: Date(), seconds: (clock.now - start).seconds)
            state.withLock { $0 = (taken, nil, nil) }
        } catch {
            state.withLock { $0 = ($0.taken, nil, "\(error)") }
        }
    }
}
