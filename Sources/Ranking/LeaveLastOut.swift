/// The peers' split (../shared/peers/common.py `leave_last_out`): each user with at least
/// `minItems` distinct positively-touched items has the item of their chronologically last
/// positive event held out (ties on time: the larger item key); every event of that user on that
/// item leaves training.
public enum LeaveLastOut {
    /// One (user, item) event for splitting. `Item` orders ties on time (the peers use the
    /// external item id in string order).
    public struct Event<User: Hashable & Sendable, Item: Hashable & Comparable & Sendable>: Sendable {
        public let user: User
        public let item: Item
        public let timestamp: Int64
        public let positive: Bool

        public init(user: User, item: Item, timestamp: Int64, positive: Bool) {
            self.user = user
            self.item = item
            self.timestamp = timestamp
            self.positive = positive
        }
    }

    /// user → held-out item. Streams `events` once; memory per user is their last event and at
    /// most `minItems` distinct items (enough to know they have that many).
    public static func heldOut<User, Item, Events: Sequence<Event<User, Item>>>(_ events: Events, minItems: Int = 3) -> [User: Item] {
        var last: [User: (Int64, Item)] = [:]
        var distinct: [User: Set<Item>] = [:]
        for e in events where e.positive {
            if distinct[e.user, default: []].count < minItems { distinct[e.user, default: []].insert(e.item) }
            if let cur = last[e.user] {
                if (e.timestamp, e.item) > cur { last[e.user] = (e.timestamp, e.item) }
            } else {
                last[e.user] = (e.timestamp, e.item)
            }
        }
        var out: [User: Item] = [:]
        for (user, (_, item)) in last where (distinct[user]?.count ?? 0) >= minItems { out[user] = item }
        return out
    }

    /// The same for users and items that are dense indices (users in 0..<users; events of other
    /// users are skipped): per user an array slot instead of two dictionary entries and a set —
    /// (16 + 4·minItems) bytes a user, a pass of ~58 M events at a million users without hashing.
    public static func heldOut<Events: Sequence<Event<Int32, Int32>>>(_ events: Events, users: Int, minItems: Int = 3) -> [Int32: Int32] {
        let n = max(0, users), keep = max(1, minItems)
        var lastTime = [Int64](repeating: .min, count: n)
        var lastItem = [Int32](repeating: -1, count: n)
        var distinct = [Int32](repeating: -1, count: n * keep)
        var found = [Int32](repeating: 0, count: n)
        for e in events where e.positive && e.user >= 0 && Int(e.user) < n {
            let u = Int(e.user)
            if found[u] < keep {
                let base = u * keep
                if !(0..<Int(found[u])).contains(where: { distinct[base + $0] == e.item }) {
                    distinct[base + Int(found[u])] = e.item
                    found[u] += 1
                }
            }
            if lastItem[u] < 0 || (e.timestamp, e.item) > (lastTime[u], lastItem[u]) {
                lastTime[u] = e.timestamp
                lastItem[u] = e.item
            }
        }
        var out: [Int32: Int32] = [:]
        for u in 0..<n where Int(found[u]) >= minItems && lastItem[u] >= 0 { out[Int32(u)] = lastItem[u] }
        return out
    }
}
