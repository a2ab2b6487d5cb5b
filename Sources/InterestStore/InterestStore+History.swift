import GRDB
import InterestCore

extension InterestStore {
    /// A user's events, oldest first (ties: reviews, queries, interactions, then insertion
    /// order), or nil when the user is unknown.
    public func history(ofUser external: String) throws(StoreError) -> [Event]? {
        try read("reading the history of user '\(external)'") { db -> [Event]? in
            guard let uid = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE external_id = ?", arguments: [external]) else {
                return nil
            }
            var events: [(ts: Int64, order: Int, seq: Int64, event: Event)] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT r.id, r.event_id, i.external_id, r.rating, r.text, r.ts FROM review r JOIN item i ON i.id = r.item_id
                WHERE r.user_id = ?
                """, arguments: [uid]) {
                events.append((row[5], 0, row[0], .review(Review(eventID: row[1], user: external, item: row[2], rating: row[3], text: row[4], timestamp: row[5]))))
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, event_id, text, ts FROM query WHERE user_id = ?", arguments: [uid]) {
                events.append((row[3], 1, row[0], .query(SearchQuery(eventID: row[1], user: external, text: row[2], timestamp: row[3]))))
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT x.id, x.event_id, i.external_id, x.action, x.rating, x.ts FROM interaction x JOIN item i ON i.id = x.item_id
                WHERE x.user_id = ?
                """, arguments: [uid]) {
                let code: Int = row[3]
                guard let action = Action(code: code) else {
                    throw StoreError.corrupt(what: "interaction \(row[0] as Int64)", reason: "unknown action code \(code)")
                }
                events.append((row[5], 2, row[0], .interaction(Interaction(eventID: row[1], user: external, item: row[2], action: action, rating: row[4], timestamp: row[5]))))
            }
            events.sort { ($0.ts, $0.order, $0.seq) < ($1.ts, $1.order, $1.seq) }
            return events.map(\.event)
        }
    }

    /// An item's stored record, or nil when the item is unknown.
    public func itemRecord(_ external: String) throws(StoreError) -> ItemRecord? {
        try read("reading item '\(external)'") { db in
            try Row.fetchOne(db, sql: "SELECT title, text, category FROM item WHERE external_id = ?", arguments: [external]).map {
                ItemRecord(item: external, title: $0[0], text: $0[1], category: $0[2])
            }
        }
    }
}
