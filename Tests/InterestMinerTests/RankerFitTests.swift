import Foundation
import Testing
import Ranking
@testable import InterestMiner

/// The ranker's reported figures are measured on users its weights never saw.
@Suite struct RankerFitTests {
    /// NDCG@10 by segment, known by hand: a cold user whose held-out item ranks first (gain 1)
    /// and a warm one whose ranks third (1/log2 4 = 0.5), each under their segment's weights.
    @Test func fusedNDCGUsesEachSegmentsWeights() {
        // One feature; candidates 0, 1, 2; the held-out item is candidate 0.
        let cold = ValidationUser(features: [[3, 2, 1]], rows: [0, 1, 2], target: 0, exact: 3, tailWeight: 1, positives: 1)
        let warm = ValidationUser(features: [[1, 2, 3]], rows: [0, 1, 2], target: 0, exact: 3, tailWeight: 1, positives: 10)
        let model = FusionModel(features: [.text], coldWeights: [1], warmWeights: [1])
        #expect(abs(TrainingPipeline.ndcg(model, on: [cold, warm]) - 0.75) < 1e-12)
        // The warm segment's weight turned round puts its item first too.
        let flipped = FusionModel(features: [.text], coldWeights: [1], warmWeights: [-1])
        #expect(abs(TrainingPipeline.ndcg(flipped, on: [cold, warm]) - 1) < 1e-12)
        #expect(TrainingPipeline.ndcg(model, on: []) == 0)
    }

    @Test func trainReportsNDCGOnAHeldOutQuarterReproducibly() async throws {
        let miner = try await trainedMiner()
        let first = try #require(try miner.train(fastTraining).ranker)
        #expect(first.validationUsers >= 8)
        #expect(first.heldOutUsers == first.validationUsers / 4)
        #expect(Set(first.heldOutNDCG.keys) == Set(first.features + ["fused"]))
        #expect(first.heldOutNDCG.values.allSatisfy { $0 >= 0 && $0 <= 1 })
        let again = try #require(try miner.train(fastTraining).ranker)
        #expect(again.heldOutNDCG == first.heldOutNDCG && again.warmWeights == first.warmWeights, "seeded: the same split and fit")
    }
}
