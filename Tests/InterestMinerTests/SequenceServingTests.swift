import CollaborativeFiltering
import Foundation
import InterestCore
import SequenceModel
import Testing
@testable import InterestMiner

/// The sequence model inside the pipeline: trained as part of a generation (in a shop without
/// text too), served over the user's current history, fused, explained.
@Suite(.serialized) struct SequenceServingTests {
    /// A shop without text where every history walks item i → i + 1 (mod 20): 200 users of six
    /// purchases a minute apart, starting anywhere.
    static func chainShop() async throws -> InterestMiner {
        var lines: [String] = []
        var random = SeededRandom(seed: 11)
        for u in 0..<200 {
            let start = random.next(below: 20)
            for k in 0..<6 {
                lines.append(#"{"type":"interaction","user":"u\#(u)","item":"i\#((start + k) % 20)","action":"purchase","ts":\#(1_700_000_000 + 60 * k)}"#)
            }
        }
        let miner = try freshMiner()
        _ = try await miner.ingest([.text("chains", lines)])
        return miner
    }

    static let options = {
        var o = TrainingOptions(cf: CFTrainingOptions(als: ALSConfiguration(factors: 8, iterations: 5, seed: 5, threads: 1), alphaGrid: [10]))
        var s = SequenceSettings()
        (s.dimension, s.heads, s.maxLength, s.epochs, s.learningRate, s.dropout, s.batchSize, s.threads) = (16, 2, 8, 12, 0.01, 0.1, 32, 1)
        o.sequence = s
        o.threads = 1
        return o
    }()

    @Test func aShopWithoutTextTrainsTheBehaviourModelsAndSaysWhy() async throws {
        let miner = try await Self.chainShop()
        let report = try miner.train(Self.options)
        #expect(report.textSkipped?.contains("no text") == true)
        #expect(report.tokenizer == nil && report.embedding == nil)
        let sequence = try #require(report.sequence)
        #expect(report.cf != nil)
        #expect(sequence.textAware == false && sequence.loss == "full")
        #expect((sequence.validationNDCG ?? 0) > 0.5, "\(sequence)")
        #expect(report.ranker?.features.contains("sequence") == true)
        // The learnt rule: after …, i4, i5, i6 comes i7.
        let history = try #require(try miner.store.userItems()["u0"])
        let r = try #require(try miner.recommendation(forUser: "u0", top: 1, method: .sequence))
        let last = try #require(history.compactMap { Int($0.dropFirst()) }.max { a, b in
            // u0's items are a run start…start+5 (mod 20): the last is the one whose successor is not in it.
            history.contains("i\((a + 1) % 20)") && !history.contains("i\((b + 1) % 20)")
        })
        #expect(r.items == ["i\((last + 1) % 20)"], "history \(history.sorted()), answer \(r.items)")
    }

    @Test func aNewEventChangesTheAnswerWithoutRetraining() async throws {
        let miner = try await Self.chainShop()
        _ = try miner.train(Self.options)
        let before = try #require(try miner.recommendation(forUser: "newcomer", top: 1, method: .sequence) ?? Recommendation(user: "", items: ["none"], scores: []))
        #expect(before.items == ["none"] || before.items.isEmpty)
        _ = try await miner.ingest([.text("late", [
            #"{"type":"interaction","user":"newcomer","item":"i12","action":"purchase","ts":1700100000}"#,
            #"{"type":"interaction","user":"newcomer","item":"i13","action":"purchase","ts":1700100060}"#,
        ])])
        let after = try #require(try miner.recommendation(forUser: "newcomer", top: 1, method: .sequence))
        #expect(after.items == ["i14"])
        _ = try await miner.ingest([.text("later", (1...3).map { #"{"type":"interaction","user":"newcomer","item":"i\#($0)","action":"purchase","ts":\#(1_700_100_100 + 60 * $0)}"# })])
        let moved = try #require(try miner.recommendation(forUser: "newcomer", top: 1, method: .sequence))
        #expect(moved.items == ["i4"])
        // The same answer from a reopened database: the stored model loads as it was trained.
        let reopened = try InterestMiner(databasePath: miner.databasePath)
        let again = try #require(try reopened.recommendation(forUser: "newcomer", top: 5, method: .sequence))
        let here = try #require(try miner.recommendation(forUser: "newcomer", top: 5, method: .sequence))
        #expect(again == here)
    }

    @Test func explanationsNameItemsFromTheUsersHistory() async throws {
        let miner = try await trainedMiner()
        let user = "u000003"
        let result = try miner.rank(user: user, top: 8, explain: true)
        let history = try #require(try miner.store.userItems()[user])
        #expect(result.items.allSatisfy { $0.sequence != nil })
        let reasons = result.items.compactMap(\.becauseOf)
        #expect(!reasons.isEmpty && reasons.contains { !$0.isEmpty })
        for named in reasons.flatMap({ $0 }) { #expect(history.contains(named), "\(named) is not in \(user)'s history") }
        // Without --explain nothing is named.
        #expect(try miner.rank(user: user, top: 3).items.allSatisfy { $0.becauseOf == nil })
    }

    /// Histories whose events mostly share a time have no order: by default no sequence model,
    /// and the report says why; `sequenceNeedsOrder = false` trains one anyway.
    @Test func historiesWithoutAnOrderTrainNoSequenceModelByDefault() async throws {
        var lines: [String] = []
        for u in 0..<60 {
            for k in 0..<4 { lines.append(#"{"type":"interaction","user":"u\#(u)","item":"i\#((u + k) % 15)","action":"purchase","ts":1700000000}"#) }
        }
        let miner = try freshMiner()
        _ = try await miner.ingest([.text("one day", lines)])
        let report = try miner.train(Self.options)
        #expect(report.sequence == nil)
        #expect(report.sequenceSkipped?.contains("100% of consecutive positive events share a time") == true, "\(report.sequenceSkipped ?? "")")
        #expect(report.ranker?.features.contains("sequence") == false)
        var anyway = Self.options
        anyway.sequenceNeedsOrder = false
        let forced = try miner.train(anyway)
        #expect(forced.sequence != nil && forced.sequenceSkipped == nil)
    }

    @Test func badSequenceSettingsAreRejectedBeforeAnythingTrains() async throws {
        let miner = try await Self.chainShop()
        var o = Self.options
        o.sequence?.heads = 3
        #expect {
            _ = try miner.train(o)
        } throws: { error in
            guard let e = error as? InterestMinerError, case .invalidArgument(_, let reason) = e else { return false }
            return reason.contains("--sequence-heads")
        }
        #expect(try miner.store.latestVersions()["cf"] == nil)
    }
}
