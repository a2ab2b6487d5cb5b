import InterestCore

/// `GET /v1/users/{id}/history`: a user's events, oldest first, in the event format they were
/// ingested in (README "Event format"; `id` where the event had one).
struct HistoryAnswer: Encodable, Sendable {
    let user: String
    /// Events the user has in all.
    let total: Int
    /// The newest `limit` of them, oldest first.
    let events: [EventLine]

    init(user: String, events all: [Event], limit: Int) {
        self.user = user
        total = all.count
        events = all.suffix(limit).map(EventLine.init)
    }

    struct EventLine: Encodable, Sendable {
        let type: String
        let id: String?
        let item: String?
        let action: String?
        let rating: Double?
        let text: String?
        let ts: Int64

        init(_ event: Event) {
            switch event {
            case .review(let r): (type, id, item, action, rating, text, ts) = ("review", r.eventID, r.item, nil, r.rating, r.text, r.timestamp)
            case .query(let q): (type, id, item, action, rating, text, ts) = ("query", q.eventID, nil, nil, nil, q.text, q.timestamp)
            case .interaction(let x):
                (type, id, item, action, rating, text, ts) = ("interaction", x.eventID, x.item, x.action.rawValue, x.rating, nil, x.timestamp)
            case .item(let r): (type, id, item, action, rating, text, ts) = ("item", nil, r.item, nil, nil, r.text, 0)
            }
        }
    }
}
