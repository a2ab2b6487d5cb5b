import Foundation
import InterestCore
import NIOCore
import PostgresNIO

extension PostgresStore {
    /// Deletes every row of a user in one transaction, as the SQLite backend does: reviews and
    /// queries (their vectors go by cascade), interactions, profile, factors and the user row;
    /// their review vectors leave the items' review sums (of the active tables, and of a
    /// generation being built) and their positives leave the items' daily counts (a negative change); the forget is recorded for
    /// the next training run. nil when the user is unknown.
    ///
    /// What PostgreSQL keeps afterwards is the server's: deleted tuples stay in the table
    /// files until (auto)vacuum reclaims them and in the write-ahead log until it is recycled
    /// (``ForgetOutcome/walTruncated`` is therefore nil); run `VACUUM` on the event tables,
    /// and rotate the log and any base backups, where a deletion must reach the disk at once.
    public func forget(user external: String) throws(StoreError) -> ForgetOutcome? {
        try pool.transaction("forgetting user '\(external)'") { s -> ForgetOutcome? in
            // The write barrier (shared) before any row lock, in the order activation takes them.
            try s.execute("SELECT pg_advisory_xact_lock_shared(\(Self.writeBarrier))")
            var binds = PostgresBindings()
            binds.append(external)
            // Locks the user row first: an ingest batch naming the user waits until this commits.
            guard let uid = try s.value("SELECT id FROM \"user\" WHERE external_id = $1 FOR UPDATE", binds, as: Int64.self) else { return nil }
            var user = PostgresBindings()
            user.append(uid)
            var out = ForgetOutcome()
            out.walTruncated = nil
            // The user's reviews locked before their vectors are read: a training run's item-sum
            // chunk that summed them (holding them `FOR KEY SHARE`) commits first, and is then
            // subtracted from; one that starts later waits and finds them gone.
            try s.execute("SELECT 1 FROM review WHERE user_id = $1 FOR UPDATE", user)
            out.itemVectorsUpdated = try Self.subtractReviewVectors(s, user: uid, reviewVectors: "review_vector", itemVectors: "item_vector")
            if try s.value("SELECT to_regclass('item_vector_build') IS NOT NULL", as: Bool.self) == true {
                _ = try Self.subtractReviewVectors(s, user: uid, reviewVectors: "review_vector_build", itemVectors: "item_vector_build")
            }
            var now = PostgresBindings()
            now.append(Int64(Date().timeIntervalSince1970))
            try s.execute("INSERT INTO forgotten(forgotten_at, after_generation) VALUES ($1, (SELECT coalesce(max(id), 0) FROM generation))", now)
            try s.execute("""
                INSERT INTO item_day_change(item_id, day, positives)
                SELECT item_id, \(PostgresSchema.day("ts")) AS day, -count(*) FROM (
                    SELECT item_id, ts FROM review WHERE user_id = $1 AND (rating IS NULL OR rating >= 1)
                    UNION ALL SELECT item_id, ts FROM interaction WHERE user_id = $1 AND (rating IS NULL OR rating >= 1)
                ) AS positive GROUP BY 1, 2
                """, user)
            out.reviews = try s.execute("DELETE FROM review WHERE user_id = $1", user)
            out.queries = try s.execute("DELETE FROM query WHERE user_id = $1", user)
            out.interactions = try s.execute("DELETE FROM interaction WHERE user_id = $1", user)
            out.profile = try s.execute("DELETE FROM user_profile WHERE user_id = $1", user) > 0
            out.factors = try s.execute("DELETE FROM user_factor WHERE user_id = $1", user) > 0
            try s.execute("DELETE FROM \"user\" WHERE id = $1", user)
            return out
        }
    }

    /// Removes the user's review vectors from their items' review sums (same encoder version
    /// only; a sum of another version is rebuilt by the next train anyway).
    private static func subtractReviewVectors(_ s: PostgresSession, user: Int64, reviewVectors: String, itemVectors: String) throws -> Int {
        var binds = PostgresBindings()
        binds.append(user)
        var byItem: [Int64: (version: Int32, vectors: [[Float]])] = [:]
        for row in try s.rows("""
            SELECT r.item_id, v.model_version, v.vector FROM review r JOIN \(reviewVectors) v ON v.user_id = r.user_id AND v.review_id = r.id
            WHERE r.user_id = $1 AND v.vector IS NOT NULL ORDER BY r.id
            """, binds) {
            guard let vector = VectorBlob.decode(Array(buffer: try row[2].decode(ByteBuffer.self))) else { continue }
            let item = try row[0].decode(Int64.self), version = try row[1].decode(Int32.self)
            byItem[item, default: (version, [])].vectors.append(vector)
        }
        var updated = 0
        for (item, part) in byItem.sorted(by: { $0.key < $1.key }) {
            var key = PostgresBindings()
            key.append(item)
            guard let row = try s.rows("SELECT model_version, text_vector, review_sum, review_count FROM \(itemVectors) WHERE item_id = $1 FOR UPDATE", key).first,
                  try row[0].decode(Int32.self) == part.version,
                  let sumData = try row[2].decode(ByteBuffer?.self), var sum = VectorBlob.decode(Array(buffer: sumData)) else { continue }
            let text = try row[1].decode(ByteBuffer?.self).flatMap { VectorBlob.decode(Array(buffer: $0)) }
            var count = Int(try row[3].decode(Int32.self))
            for v in part.vectors where v.count == sum.count {
                for k in sum.indices { sum[k] -= v[k] }
                count -= 1
            }
            count = max(0, count)
            let newSum: [Float]? = count == 0 ? nil : sum
            var update = PostgresBindings()
            update.append(newSum.map { ByteBuffer(bytes: VectorBlob.encode($0)) })
            update.append(Int32(count))
            update.append(ItemVectorRule.combine(text: text, reviewSum: newSum, reviewCount: count).map { ByteBuffer(bytes: VectorBlob.encode($0)) })
            update.append(item)
            try s.execute("UPDATE \(itemVectors) SET review_sum = $1, review_count = $2, vector = $3 WHERE item_id = $4", update)
            updated += 1
        }
        return updated
    }
}
