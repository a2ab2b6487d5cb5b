import GRDB
import InterestCore

extension InterestStore {
    /// A user's events, oldest first (ties: reviews, queries, interactions, then insertion
    /// order), or nil when the user is unknown.
    public func history(ofUser external: String) throws(StoreError) -> [Event]? {
        try read("reading the history of user '\(external)'") { db -> [Event]? in
            guard let uid = try Self.userID(db, external) else {
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

extension InterestStore {
    /// Every event: item records first (row order), then reviews, queries and interactions, in
    /// one read transaction, handed over in batches.
    public func forEachEvent(batchSize: Int = 50_000, _ body: ([Event]) throws -> Void) throws(StoreError) {
        try read("exporting events") { db in
            var batch: [Event] = []
            func flush() throws {
                if !batch.isEmpty { try body(batch) }
                batch.removeAll(keepingCapacity: true)
            }
            func add(_ e: Event) throws {
                batch.append(e)
                if batch.count >= batchSize { try flush() }
            }
            let items = try Row.fetchCursor(db, sql: "SELECT external_id, title, text, category FROM item ORDER BY id")
            while let r = try items.next() {
                // Items known only from events have no record to export.
                let title: String? = r[1], text: String? = r[2], category: String? = r[3]
                if title != nil || text != nil || category != nil {
                    try add(.item(ItemRecord(item: r[0], title: title, text: text, category: category)))
                } else {
                    try add(.item(ItemRecord(item: r[0])))
                }
            }
            let reviews = try Row.fetchCursor(db, sql: """
                SELECT r.event_id, u.external_id, i.external_id, r.rating, r.text, r.ts FROM review r
                JOIN user u ON u.id = r.user_id JOIN item i ON i.id = r.item_id ORDER BY r.id
                """)
            while let r = try reviews.next() {
                try add(.review(Review(eventID: r[0], user: r[1], item: r[2], rating: r[3], text: r[4], timestamp: r[5])))
            }
            let queries = try Row.fetchCursor(db, sql: "SELECT q.event_id, u.external_id, q.text, q.ts FROM query q JOIN user u ON u.id = q.user_id ORDER BY q.id")
            while let r = try queries.next() {
                try add(.query(SearchQuery(eventID: r[0], user: r[1], text: r[2], timestamp: r[3])))
            }
            let interactions = try Row.fetchCursor(db, sql: """
                SELECT x.id, x.event_id, u.external_id, i.external_id, x.action, x.rating, x.ts FROM interaction x
                JOIN user u ON u.id = x.user_id JOIN item i ON i.id = x.item_id ORDER BY x.id
                """)
            while let r = try interactions.next() {
                let code: Int = r[4]
                guard let action = Action(code: code) else {
                    throw StoreError.corrupt(what: "interaction \(r[0] as Int64)", reason: "unknown action code \(code)")
                }
                try add(.interaction(Interaction(eventID: r[1], user: r[2], item: r[3], action: action, rating: r[5], timestamp: r[6])))
            }
            try flush()
        }
    }
}

extension InterestStore {
    /// The one lookup of a user's row id by external id (the bulk ingest path prepares the same
    /// SQL as a raw statement).
    static let userIDSQL = "SELECT id FROM user WHERE external_id = ?"

    static func userID(_ db: Database, _ external: String) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: userIDSQL), arguments: [external])
    }
}
