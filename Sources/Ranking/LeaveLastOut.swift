/// The peers' split (../shared/peers/common.py `leave_last_out`): each user with at least
/// `minItems` distinct positively-touched items has the item of their chronologically last
/// positive event held out (ties on time: the larger item id, string order); every event of
/// that user on that item leaves training.
public enum LeaveLastOut {
    /// One (user, item) event for splitting.
    public struct Event: Sendable {
        public let user: String
        public let item: String
        public let timestamp: Int64
        public let positive: Bool

        public init(user: String, item: String, timestamp: Int64, positive: Bool) {
            self.user = user
            self.item = item
            self.timestamp = timestamp
            self.positive = positive
        }
    }

    /// user → held-out item.
    public static func heldOut(_ events: [Event], minItems: Int = 3) -> [String: String] {
        var last: [String: (Int64, String)] = [:]
        var distinct: [String: Set<String>] = [:]
        for e in events where e.positive {
            distinct[e.user, default: []].insert(e.item)
            if let cur = last[e.user] {
                if (e.timestamp, e.item) > cur { last[e.user] = (e.timestamp, e.item) }
            } else {
                last[e.user] = (e.timestamp, e.item)
            }
        }
        var out: [String: String] = [:]
        for (user, (_, item)) in last where (distinct[user]?.count ?? 0) >= minItems { out[user] = item }
        return out
    }
}
