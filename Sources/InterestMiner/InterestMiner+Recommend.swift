import Foundation
import InterestCore
import InterestStore

/// How `interests recommend` ranks.
public enum RecommendationMethod: String, Sendable, CaseIterable, Codable {
    /// The learned fusion of collaborative, text, attention and popularity signals (default).
    case fused
    /// Cosine between the user's text vector and item vectors.
    case text
    /// Dot product of collaborative-filtering factors (folded in for users new since training).
    case cf
    /// How many users acted positively on each item (the same list for everyone).
    case popularity
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
        let userList: [String]
        let seen: [String: Set<String>]
        do {
            if let users { userList = users } else { userList = try store.userIDs() }
            seen = try store.userItems()
        } catch {
            throw .store(error)
        }
        let scorer = try makeScorer(method, users: userList)
        let catalogue = scorer.items
        let chunk = 2048
        var start = 0
        while start < userList.count {
            let part = Array(userList[start..<min(start + chunk, userList.count)])
            let results = parallelMap(part, threads: threads, makeState: { () }) { _, user -> Recommendation in
                let touched = seen[user] ?? []
                guard let scores = scorer.score(user, touched) else { return Recommendation(user: user, items: [], scores: []) }
                var best = TopK(top)
                for (i, s) in scores.enumerated() where !touched.contains(catalogue[i]) { best.offer(Int32(i), s) }
                let ranked = best.sorted()
                return Recommendation(user: user, items: ranked.map { catalogue[Int($0.id)] }, scores: ranked.map(\.score))
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

    /// A method's scores over its catalogue for one user (nil: nothing known about the user).
    struct Scorer: Sendable {
        let items: [String]
        let score: @Sendable (String, Set<String>) -> [Float]?
    }

    func makeScorer(_ method: RecommendationMethod, users: [String]) throws(InterestMinerError) -> Scorer {
        switch method {
        case .fused:
            let ctx = try requireRanker()
            let signals = try allUserSignals(ctx)
            return Scorer(items: ctx.items) { user, _ in
                guard let (s, seen) = signals[user] else { return nil }
                return ctx.scorer.scores(s) { seen.contains($0) }
            }
        case .popularity:
            let ctx = try requireRanker()
            let known: Set<String>
            do { known = Set(try store.userIDs()) } catch { throw .store(error) }
            return Scorer(items: ctx.items) { user, _ in known.contains(user) ? ctx.catalogue.popularity : nil }
        case .text:
            let model = try requireTextModel()
            let table = try itemVectorTable(dimension: model.encoder.dimension)
            let sums: [String: (sum: [Float], count: Int)]
            do { sums = try store.userTextVectorSums() } catch { throw .store(error) }
            let itemRow = Dictionary(table.ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
            return Scorer(items: table.ids) { user, touched in
                // Mean of the user's review and query vectors, else of the items they touched.
                var vector: [Float]?
                if let s = sums[user] {
                    vector = s.sum.normalized()
                } else {
                    var acc = [Float](repeating: 0, count: table.dimension)
                    var n = 0
                    for item in touched {
                        guard let r = itemRow[item] else { continue }
                        acc.add(Array(table.values[(r * table.dimension)..<((r + 1) * table.dimension)]))
                        n += 1
                    }
                    if n > 0 { vector = acc.normalized() }
                }
                guard let vector else { return nil }
                return table.scores(vector)
            }
        case .cf:
            guard let cf = try loadCFModel() else {
                throw .missing(what: "\(databasePath) has no collaborative model yet", hint: "run `interests train --db \(databasePath)` first")
            }
            let stale: Set<String>
            do { stale = try store.usersWithEvents(after: cf.watermark) } catch { throw .store(error) }
            return Scorer(items: cf.itemIDs) { [self] user, _ in
                guard let v = try? cfVector(user, cf, stale: stale) else { return nil }
                return cf.model.scores(userVector: v)
            }
        }
    }
}
