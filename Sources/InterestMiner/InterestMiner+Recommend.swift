import Foundation
import InterestCore
import InterestStore

/// How `interests recommend` ranks.
public enum RecommendationMethod: String, Sendable, CaseIterable, Codable {
    /// Cosine between the user's text vector and item vectors.
    case text
}

/// One user's ranked items (best first) and their scores: the line format
/// ../shared/peers/evaluate_lists.py reads.
public struct Recommendation: Sendable, Codable, Equatable {
    public var user: String
    public var items: [String]
    public var scores: [Float]
}

extension InterestMiner {
    /// Ranks the whole catalogue for each user (items they already reviewed or interacted with
    /// excluded) and hands each user's top `top` to `emit`, in the order of `users` (all users
    /// in id order when nil). Users the method knows nothing about get an empty list.
    ///
    /// Text method: the user's vector is the mean of their review and query vectors; a user
    /// with neither gets the mean of the vectors of the items they touched.
    public func recommend(method: RecommendationMethod, users: [String]?, top: Int, threads: Int = 2,
                          emit: (Recommendation) throws -> Void) throws(InterestMinerError) {
        let model = try requireTextModel()
        let items = try itemVectorTable(dimension: model.encoder.dimension)
        let userList: [String]
        let sums: [String: (sum: [Float], count: Int)]
        let seen: [String: Set<String>]
        do {
            if let users { userList = users } else { userList = try store.userIDs() }
            sums = try store.userTextVectorSums()
            seen = try store.userItems()
        } catch {
            throw .store(error)
        }
        let itemRow = Dictionary(items.ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let chunk = 2048
        var start = 0
        while start < userList.count {
            let part = Array(userList[start..<min(start + chunk, userList.count)])
            let results = parallelMap(part, threads: threads, makeState: { () }) { _, user -> Recommendation in
                let touched = seen[user] ?? []
                var vector: [Float]?
                if let s = sums[user] {
                    vector = s.sum.normalized()
                } else {
                    var acc = [Float](repeating: 0, count: items.dimension)
                    var n = 0
                    for item in touched {
                        guard let r = itemRow[item] else { continue }
                        acc.add(Array(items.values[(r * items.dimension)..<((r + 1) * items.dimension)]))
                        n += 1
                    }
                    if n > 0 { vector = acc.normalized() }
                }
                guard let vector else { return Recommendation(user: user, items: [], scores: []) }
                let ranked = items.nearest(vector, k: top) { touched.contains(items.ids[$0]) }
                return Recommendation(user: user, items: ranked.map { items.ids[$0.0] }, scores: ranked.map(\.1))
            }
            do {
                for r in results { try emit(r) }
            } catch let e as InterestMinerError {
                throw e
            } catch {
                throw .unwritableOutput(path: "recommendations", reason: "\(error)")
            }
            start += chunk
        }
    }
}
