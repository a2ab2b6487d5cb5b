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
    }
}
