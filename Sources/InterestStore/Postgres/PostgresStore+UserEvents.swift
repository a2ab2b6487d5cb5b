import Foundation
import InterestCore
import NIOCore
import PostgresNIO

extension PostgresStore {
    /// A user's events (oldest first; ties: reviews, queries, interactions, then row order) with
    /// their vectors and stored terms, as ``InterestStore/userEventVectors(_:)`` answers; nil
    /// when the user is unknown. Three indexed reads of that user's rows.
    public func userEventVectors(_ user: String) throws(StoreError) -> [UserEventVector]? {
        try pool.transaction("reading the events of user '\(user)'", readOnly: true) { s -> [UserEventVector]? in
            guard let uid = try Self.userID(s, user) else { return nil }
            var binds = PostgresBindings()
            binds.append(uid)
            func itemText(_ title: String?, _ text: String?) -> String? {
                let parts = [title, text].compactMap { $0 }.filter { !$0.isEmpty }
                return parts.isEmpty ? nil : parts.joined(separator: ". ")
            }
            var out: [(Int64, Int, Int64, UserEventVector)] = []
            for row in try s.rows("""
                SELECT r.id, i.external_id, r.text, r.rating, r.ts, v.vector, i.title, i.text, iv.text_vector, v.terms, it.terms FROM review r
                JOIN item i ON i.id = r.item_id LEFT JOIN review_vector v ON v.user_id = r.user_id AND v.review_id = r.id
                LEFT JOIN item_vector iv ON iv.item_id = r.item_id LEFT JOIN item_text_term it ON it.item_id = r.item_id WHERE r.user_id = $1
                """, binds) {
                let ts = try row[4].decode(Int64.self)
                out.append((ts, 0, try row[0].decode(Int64.self), UserEventVector(
                    kind: .review, item: try row[1].decode(String.self), text: try row[2].decode(String.self), rating: try row[3].decode(Double?.self),
                    action: nil, timestamp: ts, vector: try Self.floats(row[5]),
                    itemText: itemText(try row[6].decode(String?.self), try row[7].decode(String?.self)), itemVector: try Self.floats(row[8]),
                    terms: try row[9].decode(String?.self), itemTextTerms: try row[10].decode(String?.self))))
            }
            for row in try s.rows("""
                SELECT q.id, q.text, q.ts, v.vector, v.terms FROM query q LEFT JOIN query_vector v ON v.user_id = q.user_id AND v.query_id = q.id
                WHERE q.user_id = $1
                """, binds) {
                let ts = try row[2].decode(Int64.self)
                out.append((ts, 1, try row[0].decode(Int64.self), UserEventVector(
                    kind: .query, item: nil, text: try row[1].decode(String.self), rating: nil, action: nil, timestamp: ts,
                    vector: try Self.floats(row[3]), terms: try row[4].decode(String?.self))))
            }
            for row in try s.rows("""
                SELECT x.id, i.external_id, x.action, x.rating, x.ts, v.vector, i.title, i.text, v.text_vector, it.terms FROM interaction x
                JOIN item i ON i.id = x.item_id LEFT JOIN item_vector v ON v.item_id = x.item_id
                LEFT JOIN item_text_term it ON it.item_id = x.item_id WHERE x.user_id = $1
                """, binds) {
                let ts = try row[4].decode(Int64.self)
                out.append((ts, 2, try row[0].decode(Int64.self), UserEventVector(
                    kind: .interaction, item: try row[1].decode(String.self), text: nil, rating: try row[3].decode(Double?.self),
                    action: Action(code: Int(try row[2].decode(Int16.self))), timestamp: ts, vector: try Self.floats(row[5]),
                    itemText: itemText(try row[6].decode(String?.self), try row[7].decode(String?.self)), itemVector: try Self.floats(row[8]),
                    itemTextTerms: try row[9].decode(String?.self))))
            }
            out.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
            return out.map(\.3)
        }
    }
}
