import GRDB

/// The schema, as named, append-only migrations. Never edit a registered migration: add a new
/// one. Constraints live in the schema; vectors are little-endian Float32 BLOBs.
///
/// Event tables are indexed by (user, time, idempotency key) — UNIQUE, so it is also the events'
/// identity — for histories, profiles and `forget`, and by explicit event id where there is one. There is deliberately no index by item: everything that reads events
/// per item (item vectors, the interaction matrix, popularity) scans whole tables, and each
/// secondary index costs about a fifth of the bulk-ingest rate.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-events") { db in
            try db.execute(sql: """
                CREATE TABLE user (
                    id INTEGER PRIMARY KEY,
                    external_id TEXT NOT NULL UNIQUE CHECK (length(external_id) BETWEEN 1 AND 256)
                );
                CREATE TABLE item (
                    id INTEGER PRIMARY KEY,
                    external_id TEXT NOT NULL UNIQUE CHECK (length(external_id) BETWEEN 1 AND 256),
                    title TEXT,
                    text TEXT,
                    category TEXT
                );
                CREATE TABLE review (
                    id INTEGER PRIMARY KEY,
                    key BLOB NOT NULL UNIQUE CHECK (length(key) = 16),
                    event_id TEXT,
                    user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    item_id INTEGER NOT NULL REFERENCES item(id),
                    rating REAL CHECK (rating IS NULL OR (rating >= 0 AND rating <= 5)),
                    text TEXT NOT NULL CHECK (length(text) > 0),
                    ts INTEGER NOT NULL
                );
                CREATE INDEX review_by_user ON review(user_id, ts);
                CREATE TABLE query (
                    id INTEGER PRIMARY KEY,
                    key BLOB NOT NULL UNIQUE CHECK (length(key) = 16),
                    event_id TEXT,
                    user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    text TEXT NOT NULL CHECK (length(text) > 0),
                    ts INTEGER NOT NULL
                );
                CREATE INDEX query_by_user ON query(user_id, ts);
                CREATE TABLE interaction (
                    id INTEGER PRIMARY KEY,
                    key BLOB NOT NULL UNIQUE CHECK (length(key) = 16),
                    event_id TEXT,
                    user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    item_id INTEGER NOT NULL REFERENCES item(id),
                    action INTEGER NOT NULL CHECK (action BETWEEN 1 AND 5),
                    rating REAL CHECK (rating IS NULL OR (rating >= 0 AND rating <= 5)),
                    ts INTEGER NOT NULL
                );
                CREATE INDEX interaction_by_user ON interaction(user_id, ts);
                -- Trained models (tokenizer, vectors, factors, rankers): one row per version.
                CREATE TABLE model (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (length(kind) > 0),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    created_at INTEGER NOT NULL,
                    parameters TEXT NOT NULL DEFAULT '{}',
                    payload BLOB,
                    UNIQUE (kind, version)
                );
                """)
        }
        m.registerMigration("v2-text-vectors") { db in
            try db.execute(sql: """
                -- Text vectors: little-endian Float32 BLOBs; NULL = the text had nothing the
                -- encoder knows. model_version = the text-encoder model that produced them.
                CREATE TABLE review_vector (
                    review_id INTEGER PRIMARY KEY REFERENCES review(id) ON DELETE CASCADE,
                    model_version INTEGER NOT NULL,
                    vector BLOB
                );
                CREATE TABLE query_vector (
                    query_id INTEGER PRIMARY KEY REFERENCES query(id) ON DELETE CASCADE,
                    model_version INTEGER NOT NULL,
                    vector BLOB
                );
                -- An item's vector combines its own text and the mean of its reviews; both parts
                -- are kept so a new review updates it exactly.
                CREATE TABLE item_vector (
                    item_id INTEGER PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,
                    model_version INTEGER NOT NULL,
                    text_vector BLOB,
                    review_sum BLOB,
                    review_count INTEGER NOT NULL DEFAULT 0 CHECK (review_count >= 0),
                    vector BLOB
                );
                CREATE TABLE term (
                    id INTEGER PRIMARY KEY,
                    term TEXT NOT NULL UNIQUE CHECK (length(term) > 0),
                    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),
                    document_frequency INTEGER NOT NULL CHECK (document_frequency >= 0),
                    model_version INTEGER NOT NULL,
                    vector BLOB
                );
                """)
        }
        m.registerMigration("v3-cf-factors") { db in
            try db.execute(sql: """
                -- Collaborative-filtering factors of the newest model (model kind 'cf'):
                -- little-endian Float32 BLOBs; items may carry a bias (BPR).
                CREATE TABLE user_factor (
                    user_id INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
                    model_version INTEGER NOT NULL,
                    vector BLOB NOT NULL
                );
                CREATE TABLE item_factor (
                    item_id INTEGER PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,
                    model_version INTEGER NOT NULL,
                    vector BLOB NOT NULL,
                    bias REAL
                );
                """)
        }
        m.registerMigration("v4-profiles") { db in
            try db.execute(sql: """
                -- Each user's time-decayed interest sum (ProfileRule): Σ w·e^(−λ(ts − tᵢ))·vᵢ as a
                -- Float64 BLOB, the decayed total weight, the newest event's time, the event count,
                -- and the text-encoder version whose vectors it sums.
                CREATE TABLE user_profile (
                    user_id INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
                    model_version INTEGER NOT NULL,
                    sum BLOB NOT NULL,
                    weight REAL NOT NULL,
                    ts INTEGER NOT NULL,
                    events INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v5-review-item-index") { db in
            // What the shop says about an item (interest terms, explanations) reads an item's
            // newest reviews; reviews are a few percent of events, so this index costs ingest
            // little, unlike item indexes on interactions (see "Storage choices").
            try db.execute(sql: "CREATE INDEX review_by_item ON review(item_id, ts)")
        }
        m.registerMigration("v6-item-terms") { db in
            // What the shop's reviews say about each item: its most common vocabulary terms and the
            // share of its reviews containing each (rebuilt by `interests train`).
            try db.execute(sql: """
                CREATE TABLE item_term (
                    item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
                    term TEXT NOT NULL,
                    share REAL NOT NULL,
                    PRIMARY KEY (item_id, term)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v7-item-neighbours") { db in
            // Items touched by the same users (`ItemNeighbours`): each item's closest items by the
            // cosine of their user sets and how many users touched both (at least 2; rebuilt by
            // `interests train`).
            try db.execute(sql: """
                CREATE TABLE item_neighbour (
                    item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
                    neighbour_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
                    score REAL NOT NULL,
                    users INTEGER NOT NULL,
                    PRIMARY KEY (item_id, neighbour_id)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v8-stored-candidate-terms") { db in
            // Each text's candidate interest terms (`TermExtractor.stored`), written with its
            // vector by train and ingest, so reading a user's terms needs no tokenizer; NULL for
            // texts written before (then terms tokenizes them).
            try db.execute(sql: """
                ALTER TABLE review_vector ADD COLUMN terms TEXT;
                ALTER TABLE query_vector ADD COLUMN terms TEXT;
                CREATE TABLE item_text_term (
                    item_id INTEGER PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,
                    model_version INTEGER NOT NULL,
                    terms TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("v9-generations") { db in
            // Model generations: every training run builds the derived tables it retrains under
            // `<table>_build`, catches up with events ingested meanwhile and activates them in one
            // short transaction (renaming; the replaced tables are kept as `<table>_g<N>`, N the
            // generation that built them, until retention drops them). Models carry the
            // generation that trained them (NULL: trained before generations existed); a building
            // or failed generation's models are invisible. `item.revision` orders changes of
            // item texts so a run can catch up with records that changed during it. `forgotten`
            // counts forgotten users whose data an older generation still learnt from.
            try db.execute(sql: """
                CREATE TABLE generation (
                    id INTEGER PRIMARY KEY,
                    state TEXT NOT NULL CHECK (state IN ('building', 'active', 'retired', 'dropped', 'failed')),
                    started_at INTEGER NOT NULL,
                    activated_at INTEGER,
                    heartbeat INTEGER NOT NULL,
                    watermark TEXT NOT NULL,
                    parts TEXT NOT NULL,
                    report TEXT
                );
                ALTER TABLE model ADD COLUMN generation INTEGER REFERENCES generation(id);
                ALTER TABLE item ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX item_by_revision ON item(revision);
                CREATE TABLE forgotten (
                    id INTEGER PRIMARY KEY,
                    forgotten_at INTEGER NOT NULL,
                    after_generation INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v10-item-days") { db in
            // Each item's positive reviews and interactions (no rating, or rating ≥ 1) per UTC day:
            // what the ranker's "in demand lately" counts, kept current by ingest and forget, so
            // loading the ranker reads O(item-days) rows instead of every event.
            try db.execute(sql: """
                CREATE TABLE item_day (
                    item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
                    day INTEGER NOT NULL,
                    positives INTEGER NOT NULL CHECK (positives > 0),
                    PRIMARY KEY (item_id, day)
                ) WITHOUT ROWID;
                INSERT INTO item_day(item_id, day, positives)
                SELECT item_id, CASE WHEN ts % 86400 < 0 THEN ts / 86400 - 1 ELSE ts / 86400 END AS day, count(*) FROM (
                    SELECT item_id, ts FROM review WHERE rating IS NULL OR rating >= 1
                    UNION ALL SELECT item_id, ts FROM interaction WHERE rating IS NULL OR rating >= 1
                ) GROUP BY item_id, day;
                """)
        }
        m.registerMigration("v11-model-visibility-index") { db in
            // `model.generation` was added after `payload`, so reading it from the table walks
            // every overflow page of a multi-megabyte payload; every request asks which models
            // are visible. This index answers that question by itself.
            try db.execute(sql: "CREATE INDEX model_by_kind_visible ON model(kind, version, generation)")
        }
        m.registerMigration("v12-event-identity-by-user") { db in
            // An event's identity was a UNIQUE index over its random 16-byte key: at tens of
            // millions of events every batch dirtied a page of that index per event, and ingest
            // slowed ~6× from 100k to 300k users. Identity now lives in the (user, time) index
            // that histories need anyway — a content key fixes its user and time, so uniqueness
            // of (user_id, ts, key) is uniqueness of the key — and events with an explicit id
            // are unique by that id (usually sequential, so its index grows at the end). One
            // index fewer per event table; a batch touches the pages of its users only.
            for table in EventTable.allCases {
                try db.execute(sql: """
                    CREATE TABLE \(table.rawValue)_v12 (\(table.columns));
                    INSERT INTO \(table.rawValue)_v12 SELECT * FROM \(table.rawValue) ORDER BY id;
                    DROP TABLE \(table.rawValue);
                    ALTER TABLE \(table.rawValue)_v12 RENAME TO \(table.rawValue);
                    CREATE UNIQUE INDEX \(table.rawValue)_by_user ON \(table.rawValue)(user_id, ts, key);
                    CREATE UNIQUE INDEX \(table.rawValue)_by_event_id ON \(table.rawValue)(event_id) WHERE event_id IS NOT NULL;
                    """)
            }
            try db.execute(sql: "CREATE INDEX review_by_item ON review(item_id, ts)")
        }
        m.registerMigration("v13-item-days-by-day") { db in
            // A one-shot `rank` needs every item's positives in one 30-day window, not every
            // item-day of the shop (~10 M rows at a million users): this index answers a window
            // with its own entries.
            try db.execute(sql: "CREATE INDEX item_day_by_day ON item_day(day, item_id, positives)")
        }
        m.registerMigration("v14-term-specificity") { db in
            // How far a term's reviews gather on fewer items than chance would spread them
            // (`TermSpecificity`, residual IDF over items): words that say nothing about a
            // product ("great", 好评) score near 0. Computed at train; NULL for a term used too
            // rarely to tell, and for the terms of a generation built before.
            try db.execute(sql: "ALTER TABLE term ADD COLUMN specificity REAL")
        }
        m.registerMigration("v15-event-order-index") { _ in
            // Nothing on SQLite: an event table's rowid is its id, so walking events in id order
            // (texts for training, catch-up, what came after a watermark) is its own B-tree. The
            // PostgreSQL schema needs an index for it (see `PostgresSchema`).
        }
        m.registerMigration("v16-event-id-floor") { db in
            // Event ids never go back: SQLite gives a new row one above the highest id, so after a
            // forget deleted a table's newest rows the next insert would take one of their ids
            // again — below a training run's watermark, where its catch-up (and "events newer
            // than the model") would never see it. `forget` records the highest id it removed
            // when the table's highest id drops, and the writer gives its next row one above it.
            try db.execute(sql: "CREATE TABLE event_id_floor (name TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID")
        }
        m.registerMigration("v17-item-day-updates-in-place") { _ in
            // Nothing on SQLite, whose ingest adds to `item_day` in place. On PostgreSQL the fold
            // of the item-day change log updates rows in place instead of re-inserting them
            // (see `PostgresSchema`).
        }
        m.registerMigration("v18-evaluation-reports") { db in
            // The last `interests eval` reports (the summary JSON, without the ranked lists), for
            // the console's shop page; the newest few are kept (`saveEvaluation`).
            try db.execute(sql: "CREATE TABLE evaluation (id INTEGER PRIMARY KEY, created INTEGER NOT NULL, report TEXT NOT NULL)")
        }
        return m
    }
}

/// The three event tables and their columns as of migration v12 (the v1 columns, with the
/// idempotency key no longer UNIQUE by itself: see that migration).
enum EventTable: String, CaseIterable {
    case review, query, interaction

    var columns: String {
        let identity = """
            id INTEGER PRIMARY KEY,
            key BLOB NOT NULL CHECK (length(key) = 16),
            event_id TEXT,
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            """
        let rest = switch self {
        case .review: """
            item_id INTEGER NOT NULL REFERENCES item(id),
            rating REAL CHECK (rating IS NULL OR (rating >= 0 AND rating <= 5)),
            text TEXT NOT NULL CHECK (length(text) > 0),
            ts INTEGER NOT NULL
            """
        case .query: """
            text TEXT NOT NULL CHECK (length(text) > 0),
            ts INTEGER NOT NULL
            """
        case .interaction: """
            item_id INTEGER NOT NULL REFERENCES item(id),
            action INTEGER NOT NULL CHECK (action BETWEEN 1 AND 5),
            rating REAL CHECK (rating IS NULL OR (rating >= 0 AND rating <= 5)),
            ts INTEGER NOT NULL
            """
        }
        return identity + "\n" + rest
    }
}
