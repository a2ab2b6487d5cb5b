import GRDB
import InterestCore

/// External id → row id for users and items, kept by the caller across the batches of one
/// ingest run so repeat users and items cost a dictionary lookup, not a query. Entries are only
/// added after their transaction commits, so a rolled-back batch leaves no stale id behind.
public struct IdentityCache: Sendable {
    var users: [String: Int64] = [:]
    var items: [String: Int64] = [:]

    public init() {}

    /// Users and items known to the cache.
    public var count: Int { users.count + items.count }

    mutating func merge(_ other: IdentityCache) {
        users.merge(other.users) { a, _ in a }
        items.merge(other.items) { a, _ in a }
    }
}

/// What writing a batch did.
public struct WriteOutcome: Sendable, Equatable {
    /// New reviews, queries and interactions, plus item records for items not seen before.
    public var inserted = 0
    /// Events already in the database (same explicit id, or same content), and item records
    /// identical to what is stored.
    public var duplicates = 0
    /// Item records that changed a stored item's title, text or category.
    public var itemsUpdated = 0
    /// Users created.
    public var newUsers = 0
    /// Items created, by a record or by an event that named them first.
    public var newItems = 0

    public init() {}

    public init(inserted: Int, duplicates: Int, itemsUpdated: Int, newUsers: Int, newItems: Int) {
        (self.inserted, self.duplicates, self.itemsUpdated, self.newUsers, self.newItems) = (inserted, duplicates, itemsUpdated, newUsers, newItems)
    }

    public static func += (a: inout WriteOutcome, b: WriteOutcome) {
        a.inserted += b.inserted
        a.duplicates += b.duplicates
        a.itemsUpdated += b.itemsUpdated
        a.newUsers += b.newUsers
        a.newItems += b.newItems
    }
}

/// Text vectors computed for a batch of events at ingest, so new reviews, queries and items
/// get their vectors in the same transaction (no retraining).
public struct EventVectors: Sendable {
    /// The text-encoder model version that made them.
    public let version: Int
    /// Parallel to the batch's events: the vector of each review, query and item record's text
    /// (nil: the text had nothing the encoder knows); entries of interactions are ignored.
    public let vectors: [[Float]?]
    /// Parallel to `vectors` (or empty): each text's stored candidate terms.
    public let terms: [String?]
    /// With a rule, the profiles of the batch's users are updated in the same transaction.
    public let profile: ProfileRule?
    public let dimension: Int

    public init(version: Int, vectors: [[Float]?], terms: [String?] = [], profile: ProfileRule? = nil, dimension: Int = 0) {
        self.terms = terms
        self.version = version
        self.vectors = vectors
        self.profile = profile
        self.dimension = dimension
    }
}

extension InterestStore {
    /// Writes one batch of validated events in one transaction: all of it or none of it.
    /// Duplicates (by event key) are counted, not written. With `vectors`, new reviews and
    /// queries get their vectors and items' vectors are updated exactly (see `ItemVectorRule`).
    public func write(_ events: [Event], vectors: EventVectors? = nil, cache: inout IdentityCache) throws(StoreError) -> WriteOutcome {
        var pending = IdentityCache()
        let known = cache
        let outcome = try write("writing \(events.count) events") { db in
            try Self.checkTextModel(db, vectors)
            try Self.prepareForBulkWrites(db)
            var writer = try EventWriter(db, vectors: vectors)
            var outcome = WriteOutcome()
            try writer.write(events, known: known, pending: &pending, outcome: &outcome)
            return outcome
        }
        cache.merge(pending)
        return outcome
    }

    /// Writes every batch `next` returns, until it returns nil, in ONE transaction (strict
    /// ingest: all of an input or nothing). An error thrown by `next` rolls everything back and
    /// is rethrown unchanged; database failures are thrown as ``StoreError``.
    public func writeInOneTransaction(cache: inout IdentityCache, _ next: () throws -> ([Event], EventVectors?)?) throws -> WriteOutcome {
        var pending = IdentityCache()
        let known = cache
        let outcome: WriteOutcome
        foregroundWriteQueued()
        defer { foregroundWriteEnded() }
        do {
            outcome = try writer.write { db in
                try Self.prepareForBulkWrites(db)
                var outcome = WriteOutcome()
                while let (events, vectors) = try next() {
                    try Self.checkTextModel(db, vectors)
                    var writer = try EventWriter(db, vectors: vectors)
                    try writer.write(events, known: known, pending: &pending, outcome: &outcome)
                }
                return outcome
            }
        } catch let e as DatabaseError {
            throw StoreError.sqlite(operation: "writing events", message: e.message ?? "\(e.resultCode)")
        }
        cache.merge(pending)
        return outcome
    }

    /// Refuses vectors made by a text model other than the active one (a training run activated
    /// a new generation after the chunk was encoded): mixing them would put two vector spaces in
    /// one table. The caller re-encodes with the active model and writes again.
    static func checkTextModel(_ db: Database, _ vectors: EventVectors?) throws {
        let active = try Int.fetchOne(db, sql: "SELECT max(version) FROM model WHERE kind = ? AND \(visibleModel)", arguments: [ModelKind.textEncoder]) ?? 0
        let encoded = vectors?.version ?? 0
        if active != encoded { throw StoreError.staleTextModel(encoded: encoded, active: active) }
    }

    /// Gives the writer connection a page cache that holds the key index of a large ingest
    /// (random 16-byte keys touch pages all over it). Memory is only taken as pages are used.
    static func prepareForBulkWrites(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -524288")
    }
}

/// The prepared statements of the ingest hot path, bound and stepped through the C API.
struct EventWriter {
    let insertUser: RawStatement
    let selectUser: RawStatement
    let insertItemRef: RawStatement
    let selectItem: RawStatement
    let insertItemRecord: RawStatement
    let updateItem: RawStatement
    let insertReview: RawStatement
    let insertQuery: RawStatement
    let insertInteraction: RawStatement
    let vectors: EventVectors?
    let vectorWriter: VectorWriter?
    var profiles: ProfileWriter?
    let addDays: RawStatement
    private var lastUser: (name: String, id: Int64)?
    /// Positive events per (item, day) of this batch, added to `item_day` at its end.
    private var days: [ItemDay: Int64] = [:]
    /// False for a first load, which counts `item_day` from the loaded events at its end.
    private let countsDays: Bool

    /// Per event table (review, query, interaction): the id its next inserted row must take,
    /// when `event_id_floor` says rows above the table's highest id were deleted (a forget of
    /// the newest events); nil: SQLite's own choice, one above the highest.
    private var explicitNext: [Int64?]

    init(_ db: Database, vectors: EventVectors? = nil, countsDays: Bool = true) throws {
        self.vectors = vectors
        explicitNext = try EventTable.allCases.map { table in
            try Int64.fetchOne(db, sql: """
                SELECT f.id + 1 FROM event_id_floor f WHERE f.name = ? AND f.id > coalesce((SELECT max(id) FROM \(table.rawValue)), 0)
                """, arguments: [table.rawValue])
        }
        self.countsDays = countsDays
        vectorWriter = vectors == nil ? nil : try VectorWriter(db)
        if let vectors, let rule = vectors.profile, vectors.dimension > 0 {
            profiles = try ProfileWriter(db, rule: rule, version: vectors.version, dimension: vectors.dimension)
        }
        addDays = try RawStatement(db, """
            INSERT INTO item_day(item_id, day, positives) VALUES (?, ?, ?)
            ON CONFLICT(item_id, day) DO UPDATE SET positives = positives + excluded.positives
            """)
        insertUser = try RawStatement(db, "INSERT INTO user(external_id) VALUES (?) ON CONFLICT(external_id) DO NOTHING")
        selectUser = try RawStatement(db, InterestStore.userIDSQL)
        insertItemRef = try RawStatement(db, "INSERT INTO item(external_id) VALUES (?) ON CONFLICT(external_id) DO NOTHING")
        selectItem = try RawStatement(db, "SELECT id FROM item WHERE external_id = ?")
        // `revision` orders item-record writes, so a training run catches up with the item texts
        // that changed while it ran (`InterestStore+Generations.swift`).
        insertItemRecord = try RawStatement(db, """
            INSERT INTO item(external_id, title, text, category, revision)
            VALUES (?, ?, ?, ?, (SELECT coalesce(max(revision), 0) + 1 FROM item))
            """)
        updateItem = try RawStatement(db, """
            UPDATE item SET title = coalesce(?1, title), text = coalesce(?2, text), category = coalesce(?3, category),
                revision = (SELECT coalesce(max(revision), 0) + 1 FROM item)
            WHERE id = ?4 AND ((?1 IS NOT NULL AND title IS NOT ?1) OR (?2 IS NOT NULL AND text IS NOT ?2)
                               OR (?3 IS NOT NULL AND category IS NOT ?3))
            """)
        insertReview = try RawStatement(db, """
            INSERT INTO review(key, event_id, user_id, item_id, rating, text, ts, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """)
        insertQuery = try RawStatement(db, """
            INSERT INTO query(key, event_id, user_id, text, ts, id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        insertInteraction = try RawStatement(db, """
            INSERT INTO interaction(key, event_id, user_id, item_id, action, rating, ts, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """)
    }

    /// Binds the row id of the next insert into event table `k` (NULL: SQLite's choice).
    private func bindID(_ s: RawStatement, _ index: Int32, table k: Int) {
        if let id = explicitNext[k] { s.bind(index, id) } else { s.bind(index, nil as String?) }
    }

    /// After an insert into event table `k`: once a row took the explicit id, SQLite's own
    /// choice (one above the highest) is above the floor again.
    private mutating func inserted(_ changes: Int32, table k: Int) {
        if changes > 0 { explicitNext[k] = nil }
    }

    mutating func write(_ events: [Event], known: IdentityCache, pending: inout IdentityCache, outcome: inout WriteOutcome) throws {
        for (k, event) in events.enumerated() {
            let vector: [Float]?? = vectors.map { k < $0.vectors.count ? $0.vectors[k] : nil }
            let terms: String? = vectors.flatMap { k < $0.terms.count ? $0.terms[k] : nil }
            switch event {
            case .item(let r):
                let id = try writeItemRecord(r, known: known, pending: &pending, outcome: &outcome)
                // Only a record with text replaces the item's text vector (a record that only
                // sets the category leaves it).
                if let id, let vector, let text = vector, let vectors, let vw = vectorWriter {
                    try vw.setItemText(id, text, terms: terms, version: vectors.version)
                }
            case .review(let r):
                let u = try userID(r.user, known, &pending, &outcome)
                let i = try itemID(r.item, known, &pending, &outcome)
                let s = insertReview
                s.reset()
                s.bind(1, r.key)
                s.bind(2, r.eventID)
                s.bind(3, u)
                s.bind(4, i)
                s.bind(5, r.rating)
                s.bind(6, r.text)
                s.bind(7, r.timestamp)
                bindID(s, 8, table: 0)
                try s.step()
                inserted(s.changes, table: 0)
                count(s.changes, &outcome)
                if s.changes > 0 { countDay(item: i, rating: r.rating, at: r.timestamp) }
                if s.changes > 0, let vector, let vectors, let vw = vectorWriter {
                    try vw.addReview(s.lastInsertRowID, item: i, vector, terms: terms, version: vectors.version)
                    try profiles?.add(user: u, kind: .review, own: vector, item: i, rating: r.rating, action: nil, at: r.timestamp)
                }
            case .query(let q):
                let u = try userID(q.user, known, &pending, &outcome)
                let s = insertQuery
                s.reset()
                s.bind(1, q.key)
                s.bind(2, q.eventID)
                s.bind(3, u)
                s.bind(4, q.text)
                s.bind(5, q.timestamp)
                bindID(s, 6, table: 1)
                try s.step()
                inserted(s.changes, table: 1)
                count(s.changes, &outcome)
                if s.changes > 0, let vector, let vectors, let vw = vectorWriter {
                    try vw.addQuery(s.lastInsertRowID, vector, terms: terms, version: vectors.version)
                    try profiles?.add(user: u, kind: .query, own: vector, item: nil, rating: nil, action: nil, at: q.timestamp)
                }
            case .interaction(let x):
                let u = try userID(x.user, known, &pending, &outcome)
                let i = try itemID(x.item, known, &pending, &outcome)
                let s = insertInteraction
                s.reset()
                s.bind(1, x.key)
                s.bind(2, x.eventID)
                s.bind(3, u)
                s.bind(4, i)
                s.bind(5, Int64(x.action.code))
                s.bind(6, x.rating)
                s.bind(7, x.timestamp)
                bindID(s, 8, table: 2)
                try s.step()
                inserted(s.changes, table: 2)
                count(s.changes, &outcome)
                if s.changes > 0 {
                    countDay(item: i, rating: x.rating, at: x.timestamp)
                    try profiles?.add(user: u, kind: .interaction, own: nil, item: i, rating: x.rating, action: x.action, at: x.timestamp)
                }
            }
        }
        try profiles?.flush()
        for (key, n) in days.sorted(by: { ($0.key.item, $0.key.day) < ($1.key.item, $1.key.day) }) {
            addDays.reset()
            addDays.bind(1, key.item)
            addDays.bind(2, key.day)
            addDays.bind(3, n)
            try addDays.step()
        }
        days.removeAll(keepingCapacity: true)
    }

    /// A positive event (no rating, or rating ≥ 1) counts towards its item's day.
    @inline(__always)
    private mutating func countDay(item: Int64, rating: Double?, at time: Int64) {
        guard countsDays, rating.map({ $0 >= 1 }) ?? true else { return }
        days[ItemDay(item: item, day: UnixDay.of(time)), default: 0] += 1
    }

    @inline(__always)
    private func count(_ changes: Int32, _ outcome: inout WriteOutcome) {
        if changes > 0 { outcome.inserted += 1 } else { outcome.duplicates += 1 }
    }

    /// Events come grouped by user more often than not: the last user's id answers without
    /// hashing the name.
    private mutating func userID(_ external: String, _ known: IdentityCache, _ pending: inout IdentityCache, _ outcome: inout WriteOutcome) throws -> Int64 {
        if let last = lastUser, last.name == external { return last.id }
        let id = try cachedID(external, \.users, known, &pending, insertUser, selectUser, created: &outcome.newUsers)
        lastUser = (external, id)
        return id
    }

    private func itemID(_ external: String, _ known: IdentityCache, _ pending: inout IdentityCache, _ outcome: inout WriteOutcome) throws -> Int64 {
        try cachedID(external, \.items, known, &pending, insertItemRef, selectItem, created: &outcome.newItems)
    }

    /// The row id of a user or item: from the cache, else inserted or looked up (and cached).
    private func cachedID(_ external: String, _ table: WritableKeyPath<IdentityCache, [String: Int64]>, _ known: IdentityCache,
                          _ pending: inout IdentityCache, _ insert: RawStatement, _ select: RawStatement, created: inout Int) throws -> Int64 {
        if let id = known[keyPath: table][external] ?? pending[keyPath: table][external] { return id }
        let (id, isNew) = try resolve(external, insert: insert, select: select)
        if isNew { created += 1 }
        pending[keyPath: table][external] = id
        return id
    }

    /// Inserts the external id if new (one statement), else looks it up.
    private func resolve(_ external: String, insert: RawStatement, select: RawStatement) throws -> (Int64, Bool) {
        insert.reset()
        insert.bind(1, external)
        try insert.step()
        if insert.changes > 0 { return (insert.lastInsertRowID, true) }
        select.reset()
        select.bind(1, external)
        guard try select.step() else {
            throw StoreError.sqlite(operation: "resolving id '\(external)'", message: "the row vanished during the transaction")
        }
        let id = select.int64(column: 0)
        select.reset()
        return (id, false)
    }

    /// Writes an item record; returns the item's row id when it was created or changed.
    private func writeItemRecord(_ r: ItemRecord, known: IdentityCache, pending: inout IdentityCache, outcome: inout WriteOutcome) throws -> Int64? {
        var existing = known.items[r.item] ?? pending.items[r.item]
        if existing == nil {
            selectItem.reset()
            selectItem.bind(1, r.item)
            if try selectItem.step() { existing = selectItem.int64(column: 0) }
            selectItem.reset()
        }
        if let id = existing {
            pending.items[r.item] = id
            updateItem.reset()
            updateItem.bind(1, r.title)
            updateItem.bind(2, r.text)
            updateItem.bind(3, r.category)
            updateItem.bind(4, id)
            try updateItem.step()
            if updateItem.changes > 0 {
                outcome.itemsUpdated += 1
                return id
            }
            outcome.duplicates += 1
            return nil
        }
        let s = insertItemRecord
        s.reset()
        s.bind(1, r.item)
        s.bind(2, r.title)
        s.bind(3, r.text)
        s.bind(4, r.category)
        try s.step()
        pending.items[r.item] = s.lastInsertRowID
        outcome.inserted += 1
        outcome.newItems += 1
        return s.lastInsertRowID
    }
}

/// An (item row id, UTC day) pair.
struct ItemDay: Hashable {
    let item: Int64
    let day: Int64
}
