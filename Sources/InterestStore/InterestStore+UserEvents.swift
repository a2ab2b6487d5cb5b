import Foundation
import GRDB
import InterestCore

/// One of a user's events with its text vector (for profiles and explanations).
public struct UserEventVector: Sendable, Equatable {
    public enum Kind: Int, Sendable { case review = 0, query = 1, interaction = 2 }
    public let kind: Kind
    public let item: String?
    public let text: String?
    public let rating: Double?
    public let action: Action?
    public let timestamp: Int64
    /// The review's or query's vector; for interactions, the item's vector.
    public let vector: [Float]?
    /// The item's title and description ("title. text"), for reviews and interactions.
    public var itemText: String? = nil
    /// The vector of the item's own text, for reviews and interactions.
    public var itemVector: [Float]? = nil
    /// The stored candidate terms of the review's or query's text (nil: not stored).
    public var terms: String? = nil
    /// The stored candidate terms of the item's own text (nil: not stored).
    public var itemTextTerms: String? = nil
}

extension InterestStore {
    /// A user's events (oldest first) with their vectors, or nil when the user is unknown.
    public func userEventVectors(_ user: String) throws(StoreError) -> [UserEventVector]? {
        try read("reading the events of user '\(user)'") { db -> [UserEventVector]? in
            guard let uid = try Self.userID(db, user) else { return nil }
            func vec(_ data: Data?) -> [Float]? { data.flatMap { VectorBlob.decode([UInt8]($0)) } }
            var out: [(Int64, Int, Int64, UserEventVector)] = []
            func itemText(_ title: String?, _ text: String?) -> String? {
                let parts = [title, text].compactMap { $0 }.filter { !$0.isEmpty }
                return parts.isEmpty ? nil : parts.joined(separator: ". ")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT r.id, i.external_id, r.text, r.rating, r.ts, v.vector, i.title, i.text, iv.text_vector, v.terms, it.terms FROM review r
                JOIN item i ON i.id = r.item_id LEFT JOIN review_vector v ON v.review_id = r.id
                LEFT JOIN item_vector iv ON iv.item_id = r.item_id LEFT JOIN item_text_term it ON it.item_id = r.item_id WHERE r.user_id = ?
                """, arguments: [uid]) {
                out.append((row[4], 0, row[0], UserEventVector(kind: .review, item: row[1], text: row[2], rating: row[3], action: nil,
                                                               timestamp: row[4], vector: vec(row[5]), itemText: itemText(row[6], row[7]),
                                                               itemVector: vec(row[8]), terms: row[9], itemTextTerms: row[10])))
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT q.id, q.text, q.ts, v.vector, v.terms FROM query q LEFT JOIN query_vector v ON v.query_id = q.id WHERE q.user_id = ?
                """, arguments: [uid]) {
                out.append((row[2], 1, row[0], UserEventVector(kind: .query, item: nil, text: row[1], rating: nil, action: nil,
                                                               timestamp: row[2], vector: vec(row[3]), terms: row[4])))
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT x.id, i.external_id, x.action, x.rating, x.ts, v.vector, i.title, i.text, v.text_vector, it.terms FROM interaction x
                JOIN item i ON i.id = x.item_id LEFT JOIN item_vector v ON v.item_id = x.item_id
                LEFT JOIN item_text_term it ON it.item_id = x.item_id WHERE x.user_id = ?
                """, arguments: [uid]) {
                let code: Int = row[2]
                out.append((row[4], 2, row[0], UserEventVector(kind: .interaction, item: row[1], text: nil, rating: row[3],
                                                               action: Action(code: code), timestamp: row[4], vector: vec(row[5]),
                                                               itemText: itemText(row[6], row[7]), itemVector: vec(row[8]), itemTextTerms: row[9])))
            }
            out.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
            return out.map(\.3)
        }
    }
}
