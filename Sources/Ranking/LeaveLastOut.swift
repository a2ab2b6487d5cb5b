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
}
