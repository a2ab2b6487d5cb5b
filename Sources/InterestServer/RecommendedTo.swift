import Synchronization

/// Who each item has been recommended to most by this service since it started: every answer
/// of `GET /v1/users/{id}/recommendations` (without a query) counts once for the user in each
/// listed item's tally. Each item keeps a Space-Saving summary of at most ``capacity`` users
/// (Metwally, Agrawal & El Abbadi, "Efficient Computation of Frequent and Top-k Elements in
/// Data Streams", ICDT 2005): a user already counted gains one; a new one takes a free counter
/// or the smallest, inheriting its count as its possible over-count. So a user shown an item
/// more often than ``capacity``-th of its showings is always held, and a held count is within
/// `error` of the true one. Per answer: O(k × capacity) under one lock; memory: at most
/// ``capacity`` counters per item recommended (~50 bytes each: ~40 MB at 100,000 items).
/// Counts live in the process: a restart, or another replica, starts its own.
final class RecommendedTo: Sendable {
    static let capacity = 8

    struct Counter: Sendable, Equatable {
        let user: String
        var count: Int
        /// How much of `count` may belong to users this counter held before.
        var error: Int
    }

    private let tallies = Mutex<[String: [Counter]]>([:])

    func record(user: String, items: [String]) {
        guard !items.isEmpty else { return }
        tallies.withLock { tallies in
            for item in items {
                var counters = tallies[item] ?? []
                if let k = counters.firstIndex(where: { $0.user == user }) {
                    counters[k].count += 1
                } else if counters.count < Self.capacity {
                    counters.append(Counter(user: user, count: 1, error: 0))
                } else if let k = counters.indices.min(by: { counters[$0].count < counters[$1].count }) {
                    let least = counters[k].count
                    counters[k] = Counter(user: user, count: least + 1, error: least)
                }
                tallies[item] = counters
            }
        }
    }

    /// The item's users by count, most first (ties by user id).
    func top(of item: String) -> [Counter] {
        let counters = tallies.withLock { $0[item] ?? [] }
        return counters.sorted { ($0.count, $1.user) > ($1.count, $0.user) }
    }
}
