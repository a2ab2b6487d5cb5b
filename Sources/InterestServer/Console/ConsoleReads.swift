import Foundation
import InterestCore
import InterestMiner

/// What each console page reads, through the façade only (no database access of its own):
/// the user page — the user's events, their interest profile, the fused ranking with
/// explanations and, when asked, a personalised search; the item page — the item's overview
/// and who the service recommended it to most;
/// the shop page — the statistics, the generations with their reports and the service's metrics.
/// A missing model is not an error for a page: the part it would fill says what to train.
struct ConsoleReads: Sendable {
    static let defaultTimeline = 50
    static let maxTimeline = 10_000
    static let listed = 10

    let service: InterestService

    var miner: InterestMiner { service.miner }

    func userPage(_ user: String, limit: Int, query: String?) throws -> UserPageData {
        guard let history = try miner.history(ofUser: user) else { throw APIError.unknownUser(user) }
        var profile: UserInterestProfile?
        var profileNote: String?
        do {
            profile = try miner.interestProfile(user: user, top: 20, weeks: 52)
        } catch {
            guard let reason = Self.missing(error) else { throw error }
            profileNote = "No interests yet: \(reason)."
        }
        var ranked: RankResult?
        var fallback: [(item: String, score: Float)] = []
        var method: String?
        var note: String?
        do {
            ranked = try miner.rank(user: user, top: Self.listed, explain: true)
        } catch {
            guard Self.missing(error) != nil else { throw error }
            // No fused ranker: what the service's recommendation route answers instead.
            do {
                let answer = try service.recommendations(for: user, k: Self.listed, query: nil)
                fallback = answer.items.map { (item: $0.item, score: $0.score) }
                method = answer.method
                note = answer.note
            } catch {
                guard let reason = Self.missing(error) else { throw error }
                note = "No model to recommend with: \(reason)."
            }
        }
        var search: RankResult?
        var searchNote: String?
        if let query {
            do {
                search = try miner.rank(user: user, query: query, top: Self.listed, explain: true)
            } catch {
                guard let reason = Self.missing(error) else { throw error }
                searchNote = "Personalised search needs the fused ranker and a text model: \(reason)."
            }
        }
        return UserPageData(user: user, history: history, limit: limit, profile: profile, profileNote: profileNote, recommendations: ranked,
                            fallback: fallback, fallbackMethod: method, recommendationNote: note, query: query, search: search, searchNote: searchNote)
    }

    /// What is missing and how to get it, when `error` says a model is not trained; else nil.
    static func missing(_ error: InterestMinerError) -> String? {
        guard case .missing(let what, let hint) = error else { return nil }
        return "\(what); \(hint)"
    }

    func itemPage(_ item: String) throws -> (overview: ItemOverview, audience: [RecommendedTo.Counter]) {
        guard let overview = try miner.itemOverview(item, top: Self.listed) else {
            throw APIError(.notFound, "unknown_items", "item '\(item)' is not in the catalogue (never ingested)")
        }
        return (overview, Array(service.recommendedTo.top(of: item).prefix(Self.listed)))
    }

    func shopPage() throws -> ShopPageData {
        ShopPageData(database: miner.databasePath, counts: service.shopCounts.view(), generations: try miner.generations(), metrics: service.metrics.snapshot(),
                     evaluation: try miner.latestEvaluation(), onPostgres: miner.onPostgres)
    }
}
