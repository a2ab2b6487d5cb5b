import Foundation
import GRDB

/// One stored item neighbour (row ids).
public struct ItemNeighbourRow: Sendable, Equatable {
    public let item: Int64
    public let neighbour: Int64
    public let score: Double
    public let users: Int

    public init(item: Int64, neighbour: Int64, score: Double, users: Int) {
        self.item = item
        self.neighbour = neighbour
        self.score = score
        self.users = users
    }
}

extension InterestStore {
    /// The stored neighbours of these items (external ids): item → [(neighbour, score)], best
    /// first. Items without neighbours are absent.
    public func itemNeighbours(_ items: [String]) throws(StoreError) -> [String: [(item: String, score: Double)]] {
        guard !items.isEmpty else { return [:] }
        return try read("reading item neighbours") { db in
            var out: [String: [(item: String, score: Double)]] = [:]
            try db.forEachRow(in: Array(Set(items)).sorted(), { marks in """
                SELECT i.external_id, j.external_id, n.score FROM item i
                JOIN item_neighbour n ON n.item_id = i.id JOIN item j ON j.id = n.neighbour_id
                WHERE i.external_id IN (\(marks)) ORDER BY i.external_id, n.score DESC, j.external_id
                """ }) { row in
                out[row[0], default: []].append((row[1], row[2]))
            }
            return out
        }
    }
}
