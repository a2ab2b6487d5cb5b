import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore
import Ranking

/// One user's behaviour in catalogue rows: what they have seen, their latest liked items (for
/// attention, newest first), their number of positive events (for the cold segment) and their
/// latest event time. Built from that user's rows alone — O(their events), nothing per item —
/// for a request, and per user by `BehaviourIndex` for training and batches.
struct UserBehaviour: Sendable {
    var seen: Set<Int> = []
    var recent: [Int] = []
    /// The rows of the latest `historyLimit` positive events, oldest first (ties in row order of
    /// the input): the sequence model's input.
    var history: [Int] = []
    var positives = 0
    var latest: Int64?
    /// Liked (time, row) pairs gathered by `add`, turned into `recent` by `finish`.
    private var liked: [(Int64, Int)] = []
    /// Positive (time, row) pairs gathered by `add`, turned into `history` by `finish`.
    private var timeline: [(Int64, Int)] = []
    /// The longest history kept (the sequence model reads at most its own maximum length of it).
    static let historyLimit = 1024

    static let none = UserBehaviour()

    /// `rows`: the user's interaction rows; `skip(row)`: leave the event out (a validation
    /// split's held-out item).
    init<Rows: Sequence<InteractionRow>>(rows: Rows, catalogueRow: [Int64: Int], skip: (Int) -> Bool = { _ in false }) {
        for r in rows {
            guard let i = catalogueRow[r.item], !skip(i) else { continue }
            add(r, row: i)
        }
        finish()
    }

    private init() {}

    /// Counts one event of the user's (at catalogue row `i`).
    mutating func add(_ r: InteractionRow, row i: Int) {
        seen.insert(i)
        latest = max(latest ?? Int64.min, r.timestamp)
        guard Self.isPositive(r) else { return }
        positives += 1
        timeline.append((r.timestamp, i))
        if r.rating.map({ $0 >= 3 }) ?? true { liked.append((r.timestamp, i)) }
    }

    /// The latest distinct liked items, newest first (ties: higher row first).
    mutating func finish() {
        var taken = Set<Int>()
        recent = []
        for (_, i) in liked.sorted(by: { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 > $1.1 }) where taken.insert(i).inserted {
            recent.append(i)
            if recent.count == FusionScorer.recentLimit { break }
        }
        liked = []
        history = timeline.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.suffix(Self.historyLimit).map(\.element.1)
        timeline = []
    }

    /// A positive event: any unrated interaction, or a rating of at least 1.
    static func isPositive(_ r: InteractionRow) -> Bool { r.rating.map { $0 >= 1 } ?? true }
}

/// Behaviour summaries of every user (`UserBehaviour`) and per catalogue item the number of
/// users with positive events and the days of those events, from all interaction rows.
struct BehaviourIndex: Sendable {
    var users: [Int64: UserBehaviour] = [:]
    var popularity: [Int] = []
    /// Each catalogue item's positive events per day.
    var activity: [DailyCounts] = []

    /// `only`: summarise these users alone (nil: everyone; the per-item counts always cover
    /// every user) — training needs its validation sample's, not a million users' seen sets.
    /// `skip(user, row)`: leave the event out (a validation split's held-out item).
    ///
    /// Without hashing per event: each item's positive events are bucketed by item (their
    /// users as dense indices and their days, 12 B an event), then each item's bucket is sorted
    /// — its distinct users and its events per day counted from the runs. A set of users per item
    /// and an array of times per item took over a gigabyte and minutes at 58 M events.
    init(rows: EventsByUser, catalogueRow: [Int64: Int], catalogueCount: Int, only: Set<Int64>? = nil,
         skip: (Int64, Int) -> Bool = { _, _ in false }) {
        let n = max(0, catalogueCount)
        let items = DenseIDMap(catalogueRow, count: n)
        let userIndex = DenseIDMap(rows.userIDs)
        var start = [Int](repeating: 0, count: n + 1)
        for r in rows {
            guard let i = items[r.item], !skip(r.user, Int(i)) else { continue }
            if only?.contains(r.user) ?? true { users[r.user, default: .none].add(r, row: Int(i)) }
            if UserBehaviour.isPositive(r) { start[Int(i) + 1] += 1 }
        }
        for i in 0..<n { start[i + 1] += start[i] }
        var fill = start
        var bucketUsers = [Int32](repeating: 0, count: start[n])
        var bucketDays = [Int64](repeating: 0, count: start[n])
        for r in rows where UserBehaviour.isPositive(r) {
            guard let i = items[r.item], !skip(r.user, Int(i)), let u = userIndex[r.user] else { continue }
            bucketUsers[fill[Int(i)]] = u
            bucketDays[fill[Int(i)]] = UnixDay.of(r.timestamp)
            fill[Int(i)] += 1
        }
        popularity = (0..<n).map { i in
            let own = bucketUsers[start[i]..<fill[i]].sorted()
            return zip(own, own.dropFirst()).reduce(own.isEmpty ? 0 : 1) { $0 + ($1.0 != $1.1 ? 1 : 0) }
        }
        // DailyCounts sorts the days and merges repeats itself.
        activity = (0..<n).map { i in DailyCounts(bucketDays[start[i]..<fill[i]].map { (day: $0, count: 1) }) }
        for user in Array(users.keys) { users[user]?.finish() }
    }

    subscript(user: Int64) -> UserBehaviour { users[user] ?? .none }
}

/// Item vectors (unit, zero when missing) in catalogue order, flattened.
func flattenVectors(_ vectors: [[Float]?], dimension: Int) -> [Float] {
    var out = [Float](repeating: 0, count: vectors.count * dimension)
    for (k, v) in vectors.enumerated() {
        guard let v, v.count == dimension else { continue }
        for j in 0..<dimension { out[k * dimension + j] = v[j] }
    }
    return out
}

/// Decayed profiles computed in memory under `rule` — the same fold the store runs — for a
/// validation split, where the stored profiles would include held-out events.
func inMemoryProfiles(rule: ProfileRule, reviews: [(user: Int64, item: Int64, vector: [Float], timestamp: Int64, rating: Double?)],
                      queries: [(user: Int64, timestamp: Int64, vector: [Float])],
                      interactions: [(user: Int64, item: Int64, timestamp: Int64, action: Action, rating: Double?)],
                      itemText: [Int64: [Float]], dimension: Int) -> [Int64: [Float]] {
    // Each user's events in (time, kind) order, folded by the same calculation as ingest's.
    var events: [Int64: [(time: Int64, kind: ProfileRule.EventKind, own: [Float]?, item: Int64?, rating: Double?, action: Action?)]] = [:]
    for r in reviews { events[r.user, default: []].append((r.timestamp, .review, r.vector, r.item, r.rating, nil)) }
    for q in queries { events[q.user, default: []].append((q.timestamp, .query, q.vector, nil, nil, nil)) }
    for x in interactions { events[x.user, default: []].append((x.timestamp, .interaction, nil, x.item, x.rating, x.action)) }
    var profiles = ProfileAccumulator(rule: rule, dimension: dimension)
    for (user, list) in events {
        for e in list.sorted(by: { ($0.time, $0.kind.rawValue) < ($1.time, $1.kind.rawValue) }) {
            profiles.add(user: user, kind: e.kind, own: e.own, item: e.item.flatMap { itemText[$0] }, rating: e.rating, action: e.action,
                         at: e.time, loaded: DecayedSum(dimension: dimension))
        }
    }
    var out: [Int64: [Float]] = [:]
    for (user, sum) in profiles.sums { if let d = sum.direction { out[user] = d } }
    return out
}
