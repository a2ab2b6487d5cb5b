import GRDB
import InterestCore

/// Every review and interaction of one read, grouped by user (compressed sparse rows): what a
/// training run learns from, held as columns instead of one row value per event — 21 bytes an
/// event (item 4, time 8, rating 8, action 1) plus 8 bytes a user with events, against the 40
/// of an `InteractionRow` array (58.75 M events: ~1.2 GB instead of ~2.35 GB).
///
/// Users are those with events, in row-id order (dense index = position in `userIDs`); items
/// are every catalogue item in row-id order (dense index = position in `itemIDs`). Within a
/// user, events are in the order they are read: reviews then interactions, each by row id — the
/// order a single array of both tables had, so sums over a user's cells add in the same order.
///
/// A value, iterated any number of times; as a `Sequence` it yields `InteractionRow`s (row ids
/// looked up from the dense indices), and `forEachEvent` gives the dense indices themselves.
public struct EventsByUser: Sendable, Sequence {
    /// Row ids of the users with events, ascending.
    public let userIDs: [Int64]
    /// Row ids of every catalogue item, ascending.
    public let itemIDs: [Int64]
    /// User u's events are offsets[u]..<offsets[u + 1].
    let offsets: [Int]
    /// Dense item index of each event (every event's item is in the catalogue: a foreign key).
    let items: [Int32]
    let times: [Int64]
    /// NaN: no rating.
    let ratings: [Double]
    /// nil: a review.
    let actions: [Action?]

    /// A table of these rows in memory (users by row id, each user's rows in the given order);
    /// rows whose item is not among `itemIDs` (ascending) are left out. O(rows · log rows).
    public init(rows: [InteractionRow], itemIDs: [Int64]) {
        let itemIndex = DenseIDMap(itemIDs)
        let kept = rows.enumerated().filter { itemIndex[$0.element.item] != nil }
            .sorted { ($0.element.user, $0.offset) < ($1.element.user, $1.offset) }.map(\.element)
        var userIDs: [Int64] = []
        var offsets = [0]
        for (k, r) in kept.enumerated() {
            if userIDs.last != r.user {
                if !userIDs.isEmpty { offsets.append(k) }
                userIDs.append(r.user)
            }
        }
        if !userIDs.isEmpty { offsets.append(kept.count) }
        self.init(userIDs: userIDs, itemIDs: itemIDs, offsets: offsets, items: kept.map { itemIndex[$0.item] ?? 0 },
                  times: kept.map(\.timestamp), ratings: kept.map { $0.rating ?? .nan }, actions: kept.map(\.action))
    }

    init(userIDs: [Int64], itemIDs: [Int64], offsets: [Int], items: [Int32], times: [Int64], ratings: [Double], actions: [Action?]) {
        (self.userIDs, self.itemIDs, self.offsets, self.items, self.times, self.ratings, self.actions) = (userIDs, itemIDs, offsets, items, times, ratings, actions)
    }

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }

    /// Each event with its dense user and item: (user, item, time, rating, action).
    public func forEachEvent(_ body: (_ user: Int32, _ item: Int32, _ time: Int64, _ rating: Double?, _ action: Action?) throws -> Void) rethrows {
        for u in 0..<userIDs.count {
            for k in offsets[u]..<offsets[u + 1] {
                let r = ratings[k]
                try body(Int32(truncatingIfNeeded: u), items[k], times[k], r.isNaN ? nil : r, actions[k])
            }
        }
    }

    /// The events of dense user `u` as rows.
    public func events(ofUser u: Int) -> [InteractionRow] {
        guard u >= 0, u < userIDs.count else { return [] }
        return (offsets[u]..<offsets[u + 1]).map { row($0, user: userIDs[u]) }
    }

    func row(_ k: Int, user: Int64) -> InteractionRow {
        InteractionRow(user: user, item: itemIDs[Int(items[k])], action: actions[k], rating: ratings[k].isNaN ? nil : ratings[k], timestamp: times[k])
    }

    public struct Iterator: IteratorProtocol {
        let table: EventsByUser
        var user = 0
        var k = 0

        public mutating func next() -> InteractionRow? {
            while user < table.userIDs.count && k >= table.offsets[user + 1] { user += 1 }
            guard user < table.userIDs.count else { return nil }
            defer { k += 1 }
            return table.row(k, user: table.userIDs[user])
        }
    }

    public func makeIterator() -> Iterator { Iterator(table: self) }
}

extension InterestStore {
    /// Every review and interaction up to `bound` (nil: all, and the current watermark) as an
    /// `EventsByUser`, read in one read transaction by two streamed passes over each table — the
    /// first counts each user's events, the second writes each event into its user's slot — so
    /// no array of all rows is ever held: memory is the table's 21 bytes an event plus 4 bytes
    /// per user row id. Time: two sequential scans of the review and interaction tables.
    public func eventsByUser(upTo bound: EventWatermark? = nil) throws(StoreError) -> (table: EventsByUser, watermark: EventWatermark) {
        try read("reading interactions") { db in
            let mark = try bound ?? Self.watermark(db)
            let itemIDs = try Int64.fetchAll(db, sql: "SELECT id FROM item ORDER BY id")
            let itemIndex = DenseIDMap(itemIDs)
            let maxUser = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM user") ?? 0
            guard maxUser < Int64(Int32.max) else { throw StoreError.corrupt(what: "table user", reason: "row id \(maxUser) is beyond what a training run indexes (2³¹); run VACUUM or re-ingest into a new database") }
            let reviews = try RawStatement(db, "SELECT user_id, item_id, rating, ts FROM review WHERE id <= ?")
            let inter = try RawStatement(db, "SELECT user_id, item_id, rating, ts, action FROM interaction WHERE id <= ?")
            defer {
                reviews.reset()
                inter.reset()
            }
            // Pass 1: events per user row id.
            var perUser = [Int32](repeating: 0, count: Int(maxUser) + 1)
            for (s, bound) in [(reviews, mark.review), (inter, mark.interaction)] {
                s.reset()
                s.bind(1, bound)
                while try s.step() {
                    let u = s.int64(column: 0)
                    guard u >= 0, u <= maxUser, itemIndex[s.int64(column: 1)] != nil else { continue }
                    perUser[Int(u)] += 1
                }
            }
            var userIDs: [Int64] = []
            var offsets = [0]
            var slot = [Int](repeating: -1, count: perUser.count)
            for (u, n) in perUser.enumerated() where n > 0 {
                slot[u] = userIDs.count
                userIDs.append(Int64(u))
                offsets.append(offsets[offsets.count - 1] + Int(n))
            }
            perUser = []
            let total = offsets[offsets.count - 1]
            var items = [Int32](repeating: 0, count: total)
            var times = [Int64](repeating: 0, count: total)
            var ratings = [Double](repeating: .nan, count: total)
            var actions = [Action?](repeating: nil, count: total)
            var fill = Array(offsets.dropLast())
            // Pass 2: each event into its user's next slot (the same rows: one snapshot).
            for (isInteraction, s, bound) in [(false, reviews, mark.review), (true, inter, mark.interaction)] {
                s.reset()
                s.bind(1, bound)
                while try s.step() {
                    let u = s.int64(column: 0)
                    guard u >= 0, u <= maxUser, let i = itemIndex[s.int64(column: 1)] else { continue }
                    let d = slot[Int(u)]
                    guard d >= 0, fill[d] < offsets[d + 1] else { continue }
                    let k = fill[d]
                    fill[d] += 1
                    items[k] = i
                    times[k] = s.int64(column: 3)
                    if let r = s.optionalDouble(column: 2) { ratings[k] = r }
                    if isInteraction { actions[k] = Action(code: Int(s.int64(column: 4))) }
                }
            }
            let table = EventsByUser(userIDs: userIDs, itemIDs: itemIDs, offsets: offsets, items: items, times: times,
                                   ratings: ratings, actions: actions)
            return (table, mark)
        }
    }
}
