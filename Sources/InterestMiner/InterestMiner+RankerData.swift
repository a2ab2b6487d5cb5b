import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore
import Ranking

/// Behaviour summaries per user and item from interaction rows, in catalogue rows: what each user
/// has seen, their latest liked items (for attention), their number of positive events (for the
/// cold segment) and latest event time, and per item the users with positive events and the
/// times of those events.
struct BehaviourIndex: Sendable {
    var seen: [Int64: Set<Int>] = [:]
    var recent: [Int64: [Int]] = [:]
    var positives: [Int64: Int] = [:]
    var latest: [Int64: Int64] = [:]
    var popularity: [Int] = []
    /// Each catalogue item's positive events per day.
    var activity: [DailyCounts] = []

    /// `skip(user, row)`: leave the event out (a validation split's held-out item).
    init(rows: [InteractionRow], catalogueRow: [Int64: Int], catalogueCount: Int, skip: (Int64, Int) -> Bool = { _, _ in false }) {
        popularity = [Int](repeating: 0, count: catalogueCount)
        var eventTimes = [[Int64]](repeating: [], count: catalogueCount)
        var liked: [Int64: [(Int64, Int)]] = [:]
        var users: [Int: Set<Int64>] = [:]
        for r in rows {
            guard let i = catalogueRow[r.item], !skip(r.user, i) else { continue }
            seen[r.user, default: []].insert(i)
            latest[r.user] = max(latest[r.user] ?? Int64.min, r.timestamp)
            let positive = r.rating.map { $0 >= 1 } ?? true
            guard positive else { continue }
            positives[r.user, default: 0] += 1
            users[i, default: []].insert(r.user)
            eventTimes[i].append(r.timestamp)
            if r.rating.map({ $0 >= 3 }) ?? true { liked[r.user, default: []].append((r.timestamp, i)) }
        }
        for (i, u) in users { popularity[i] = u.count }
        activity = eventTimes.map { DailyCounts(times: $0) }
        for (user, events) in liked {
            var out: [Int] = []
            var taken = Set<Int>()
            for (_, i) in events.sorted(by: { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 > $1.1 }) where taken.insert(i).inserted {
                out.append(i)
                if out.count == FusionScorer.recentLimit { break }
            }
            recent[user] = out
        }
    }
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
    var events: [Int64: [(Int64, Int, [Float], Double)]] = [:]
    for r in reviews {
        if let (v, w) = rule.contribution(.review, own: r.vector, item: itemText[r.item], rating: r.rating, action: nil) {
            events[r.user, default: []].append((r.timestamp, 0, v, w))
        }
    }
    for q in queries {
        if let (v, w) = rule.contribution(.query, own: q.vector, item: nil, rating: nil, action: nil) {
            events[q.user, default: []].append((q.timestamp, 1, v, w))
        }
    }
    for x in interactions {
        if let (v, w) = rule.contribution(.interaction, own: nil, item: itemText[x.item], rating: x.rating, action: x.action) {
            events[x.user, default: []].append((x.timestamp, 2, v, w))
        }
    }
    var out: [Int64: [Float]] = [:]
    for (user, list) in events {
        var sum = DecayedSum(dimension: dimension)
        for (t, _, v, w) in list.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) where v.count == dimension {
            sum.add(v, weight: w, at: t, rate: rule.decayRate)
        }
        if let d = sum.direction { out[user] = d }
    }
    return out
}
