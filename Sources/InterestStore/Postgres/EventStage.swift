import InterestCore
import NIOCore
import PostgresNIO
import Synchronization

/// A run of events on its way into the event tables, as the relation `interests_stage`
/// (seq, kind, key, event_id, user_name, item_name, action, rating, text, ts) that the ingest
/// statements select from. Two forms, one set of statements:
/// - **Large runs** (a file's batches): streamed with `COPY` into a temporary table of the
///   connection's own, emptied at commit — one pass over the rows, however many. The rows are
///   put into COPY's text form piece by piece while the server reads the pieces before (made
///   all before sending, the server waited for the client ~13% of a bulk ingest).
/// - **Small runs** (the service's writes, ≤ ``arrayLimit`` events): sent as array parameters
///   and unnested by a CTE of the same name in each statement. The temporary table's upkeep
///   costs a small write more than the rows (measured on a one-review `POST /v1/events`:
///   creating it if missing, `TRUNCATE`, `COPY` and the truncation at commit were ~1.5 of the
///   ~5 ms the server spent, and three of eighteen round trips).
struct EventStage {
    static let arrayLimit = 256

    private(set) var count = 0
    /// The table form's rows, formatted while they are sent.
    private var rows: [Row]?
    struct Row: Sendable {
        let seq: Int, kind: Int, key: EventKey, eventID: String?, user: String, item: String?
        let action: Int?, rating: Double?, text: String?, ts: Int64
    }
    private var seq: [Int32] = [], kind: [Int16] = [], key: [ByteBuffer] = [], eventID: [String] = [], hasEventID: [Bool] = []
    private var user: [String] = [], item: [String] = [], hasItem: [Bool] = [], action: [Int16] = [], hasAction: [Bool] = []
    private var rating: [Double] = [], hasRating: [Bool] = [], text: [String] = [], hasText: [Bool] = [], time: [Int64] = []

    init(expected: Int) {
        if expected > Self.arrayLimit {
            rows = []
            rows?.reserveCapacity(expected)
        }
    }

    mutating func add(_ seq: Int, _ kind: Int, _ key: EventKey, _ eventID: String?, _ user: String, _ item: String?,
                      _ action: Int?, _ rating: Double?, _ text: String?, _ ts: Int64) {
        count += 1
        if rows != nil {
            rows?.append(Row(seq: seq, kind: kind, key: key, eventID: eventID, user: user, item: item, action: action, rating: rating, text: text, ts: ts))
            return
        }
        self.seq.append(Int32(clamping: seq))
        self.kind.append(Int16(clamping: kind))
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        buffer.writeBytes(key.bytes)
        self.key.append(buffer)
        self.eventID.append(eventID ?? "")
        hasEventID.append(eventID != nil)
        self.user.append(user)
        self.item.append(item ?? "")
        hasItem.append(item != nil)
        self.action.append(Int16(clamping: action ?? 0))
        hasAction.append(action != nil)
        self.rating.append(rating ?? 0)
        hasRating.append(rating != nil)
        self.text.append(text ?? "")
        hasText.append(text != nil)
        time.append(ts)
    }

    /// Puts the run where the statements read it: `COPY` into the temporary table (created on
    /// the connection if missing, emptied of an earlier run of the same transaction), or
    /// nothing yet for arrays (they travel with each statement).
    func send(_ s: PostgresSession, tableUsedBefore: inout Bool) throws {
        guard let rows else { return }
        try s.execute(Self.tableDDL)
        if tableUsedBefore { try s.execute("TRUNCATE interests_stage") }
        tableUsedBefore = true
        let next = Mutex(0)
        try s.copy(into: "interests_stage", columns: Self.columns) {
            next.withLock { start -> ByteBuffer? in
                guard start < rows.count else { return nil }
                let end = min(start + Self.rowsPerPiece, rows.count)
                var piece = CopyText(capacity: (end - start) * 96)
                for r in rows[start..<end] {
                    piece.row(r.seq, r.kind, r.key, r.eventID, r.user, r.item, r.action, r.rating, r.text, r.ts)
                }
                start = end
                return piece.buffer
            }
        }
    }

    /// Rows per COPY piece (~0.5–1 MB of text).
    static let rowsPerPiece = 8_192

    /// `sql` (which reads `interests_stage`) and its parameters, for this run's form.
    func statement(_ sql: String) -> (sql: String, binds: PostgresBindings) {
        guard rows == nil else { return (sql, PostgresBindings()) }
        var binds = PostgresBindings()
        binds.append(seq)
        binds.append(kind)
        binds.append(key)
        binds.append(eventID)
        binds.append(hasEventID)
        binds.append(user)
        binds.append(item)
        binds.append(hasItem)
        binds.append(action)
        binds.append(hasAction)
        binds.append(rating)
        binds.append(hasRating)
        binds.append(text)
        binds.append(hasText)
        binds.append(time)
        let cte = """
            interests_stage AS (
                SELECT seq, kind, key, CASE WHEN has_event_id THEN event_id END AS event_id, user_name,
                       CASE WHEN has_item THEN item_name END AS item_name, CASE WHEN has_action THEN action END AS action,
                       CASE WHEN has_rating THEN rating END AS rating, CASE WHEN has_text THEN text END AS text, ts
                FROM unnest($1::integer[], $2::smallint[], $3::bytea[], $4::text[], $5::boolean[], $6::text[], $7::text[], $8::boolean[],
                            $9::smallint[], $10::boolean[], $11::double precision[], $12::boolean[], $13::text[], $14::boolean[], $15::bigint[])
                     AS x(seq, kind, key, event_id, has_event_id, user_name, item_name, has_item, action, has_action, rating, has_rating,
                          text, has_text, ts))
            """
        let prefixed = sql.hasPrefix("WITH ") ? "WITH \(cte),\n" + sql.dropFirst(5) : "WITH \(cte)\n" + sql
        return (prefixed, binds)
    }

    static let tableDDL = """
        CREATE TEMP TABLE IF NOT EXISTS interests_stage (
            seq integer NOT NULL, kind smallint NOT NULL, key bytea NOT NULL, event_id text, user_name text NOT NULL,
            item_name text, action smallint, rating double precision, text text, ts bigint NOT NULL
        ) ON COMMIT DELETE ROWS
        """
    static let columns = ["seq", "kind", "key", "event_id", "user_name", "item_name", "action", "rating", "text", "ts"]
}
