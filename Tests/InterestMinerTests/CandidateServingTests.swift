import Foundation
import Testing
@testable import InterestMiner

/// The service's recommendation read through the candidate index (`candidateCatalogueSize`).
@Suite(.serialized) struct CandidateServingTests {
    @Test func theCandidateReadGivesTheFullScansAnswerWhenEveryItemIsACandidate() async throws {
        let scan = try await trainedMiner()
        let indexed = try InterestMiner(databasePath: scan.databasePath)
        indexed.candidateCatalogueSize = 1
        let context = try #require(try indexed.serving.loadRanker())
        let index = try #require(context.candidates, "a catalogue of at least 1 item gets an index")
        // 64 items: the popular channel alone (300 a channel) makes every item a candidate.
        #expect(index.perChannel >= context.catalogue.count)
        #expect(try scan.serving.loadRanker()?.candidates == nil, "no index unless asked for")
        var compared = 0
        for k in 1...60 {
            let user = String(format: "u%06d", k)
            guard let exact = try scan.fusedRecommendation(forUser: user, top: 10) else { continue }
            let fast = try #require(try indexed.fusedRecommendation(forUser: user, top: 10))
            #expect(fast.items == exact.items, "\(user)")
            for (a, b) in zip(fast.scores, exact.scores) { #expect(abs(a - b) < 1e-3, "\(user)") }
            compared += 1
        }
        #expect(compared >= 50)
        #expect(try indexed.fusedRecommendation(forUser: "nobody", top: 10) == nil)
        // An unknown user, asked for as a new one: `rank`'s cold start, by either read.
        let coldStart = try scan.rank(user: "nobody", top: 10).items.map(\.item)
        #expect(coldStart.count == 10)
        #expect(try scan.fusedRecommendation(forUser: "nobody", top: 10, newUserIfUnknown: true)?.items == coldStart)
        #expect(try indexed.fusedRecommendation(forUser: "nobody", top: 10, newUserIfUnknown: true)?.items == coldStart)
        let searched = try scan.rank(user: "nobody", query: "tent", top: 5).items.map(\.item)
        #expect(try indexed.fusedRecommendation(forUser: "nobody", top: 5, query: "tent", newUserIfUnknown: true)?.items == searched)
    }
}
