import Foundation
import Testing
@testable import InterestMiner

/// The per-database choice of the terms' "what next" settings.
@Suite(.serialized) struct NextTermsTests {
    /// BM25 gains worked by hand (k1 1.2, b 0.75): documents a = {rod: 2}, b = {rod: 1, reel: 1},
    /// c = {lipstick: 3}; lengths 2, 2, 3, mean 7/3.
    @Test func retrievalGainsAreBM25Ranks() {
        let index = TermRetrieval(items: ["a", "b", "c"], reviewTerms: ["a": [("rod", 2)], "b": [("rod", 1), ("reel", 1)], "c": [("lipstick", 3)]],
                                  textTerms: [:])
        #expect(index.gain(query: ["reel"], target: 1, excluded: []) == 1)
        // "rod": a scores 2·2.2/(2 + 1.2·(0.25 + 0.75·6/7)) > b's 2.2/(1 + 1.2·(0.25 + 0.75·6/7)) (same idf): b is second.
        #expect(abs(index.gain(query: ["rod"], target: 1, excluded: []) - 1 / log2(3.0)) < 1e-12)
        #expect(index.gain(query: ["rod"], target: 1, excluded: [0]) == 1, "a touched item is no competitor")
        #expect(index.gain(query: ["lipstick"], target: 1, excluded: []) == 0, "a query that misses the target gains nothing")
        #expect(index.gain(query: [], target: 1, excluded: []) == 0)
        // Equal scores: the larger external id ranks first (the peers' order).
        let tie = TermRetrieval(items: ["x", "y"], reviewTerms: ["x": [("t", 1)], "y": [("t", 1)]], textTerms: [:])
        #expect(abs(tie.gain(query: ["t"], target: 0, excluded: []) - 1 / log2(3.0)) < 1e-12)
        #expect(tie.gain(query: ["t"], target: 1, excluded: []) == 1)
        // An item's own text counts its candidate terms once (TermExtractor's stored form: kind digit + term).
        let text = TermRetrieval(items: ["p", "q"], reviewTerms: [:], textTerms: ["q": "1reel\n2fly reel"])
        #expect(text.gain(query: ["fly reel"], target: 1, excluded: []) == 1)
    }

    @Test func storedSettingsRoundTripAndOlderOnesLead() throws {
        let competing = NextTermSettings(items: 1, places: 3, strength: 0.15, leads: false)
        let json = String(decoding: try JSONEncoder().encode(competing), as: UTF8.self)
        #expect(NextTermSettings(parameters: json) == competing)
        #expect(NextTermSettings(parameters: #"{"items":2,"places":3,"strength":0.3}"#) == .fallback, "stored before `leads`: leading")
        #expect(NextTermSettings(parameters: #"{"items":-1,"places":3,"strength":0.3}"#) == nil)
        #expect(NextTermSettings(parameters: "not json") == nil)
    }

    @Test func trainChoosesTheSettingsTermsThenUse() async throws {
        let miner = try await trainedMiner()
        var tuning = fastTraining
        tuning.tuneNextTerms = true
        let report = try miner.train(tuning)
        let tuned = try #require(report.nextTerms)
        #expect(tuned.trials.count == TrainingPipeline.nextTermsGrid.count && tuned.trials.first?.settings == .fallback)
        #expect(tuned.trials.allSatisfy { $0.ndcg >= 0 && $0.ndcg <= 1 })
        let best = try #require(tuned.trials.max { $0.ndcg < $1.ndcg })
        let fallback = try #require(tuned.trials.first).ndcg
        #expect(tuned.chosen == (best.ndcg > fallback * 1.01 ? best.settings : .fallback))
        #expect(try miner.serving.termsContext().next == tuned.chosen, "terms read the stored choice")
        // Reproducible: the same sample and the same figures.
        let again = try #require(try miner.train(tuning).nextTerms)
        #expect(again.trials.map(\.ndcg) == tuned.trials.map(\.ndcg))
        #expect(try miner.train(fastTraining).nextTerms == nil)
        #expect(try miner.serving.termsContext().next == .fallback, "a run that chose nothing leaves the fallback")
    }
}
