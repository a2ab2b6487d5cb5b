import CorpusGeneration
import Foundation
import InterestCore
import InterestStore
import Testing
import TextEmbedding
@testable import InterestMiner

@Suite(.serialized) struct ProfileTests {
    func close(_ a: StoredProfile?, _ b: StoredProfile?) -> Bool {
        guard let a, let b, let da = a.profile.direction, let db = b.profile.direction else { return false }
        let rel = abs(a.profile.weight - b.profile.weight) / max(b.profile.weight, 1e-12)
        return rel < 1e-5 && zip(da, db).allSatisfy { abs($0 - $1) < 1e-5 } && a.profile.timestamp == b.profile.timestamp
    }

    @Test func incrementalProfilesEqualABatchRecompute() async throws {
        let miner = try await trainedMiner()
        let model = try #require(try miner.serving.loadTextModel())
        #expect(model.profile != nil, "train stores the profile rule")
        let lines = [
            #"{"type":"review","user":"u000003","item":"P00010","rating":5,"text":"lovely fly rod for trout streams","ts":1767000000}"#,
            #"{"type":"query","user":"u000003","text":"trout fly reel","ts":1767000100}"#,
            #"{"type":"interaction","user":"u000003","item":"P00011","action":"purchase","ts":1767000200}"#,
            // Out of order: older than the user's newest event.
            #"{"type":"interaction","user":"u000003","item":"P00012","action":"cart","ts":1740000000}"#,
            // A brand-new user.
            #"{"type":"query","user":"fresh","text":"matte lipstick","ts":1767000300}"#,
            #"{"type":"interaction","user":"fresh","item":"P00013","action":"view","ts":1767000400}"#,
        ]
        _ = try await miner.ingest([.text("new.jsonl", lines)])
        let incremental = try ["u000003", "fresh", "u000004"].map { try miner.store.profile(ofUser: $0) }
        #expect(incremental[1]?.profile.events == 2)
        try miner.recomputeTextTables(model)
        let batch = try ["u000003", "fresh", "u000004"].map { try miner.store.profile(ofUser: $0) }
        for k in 0..<3 { #expect(close(incremental[k], batch[k]), "user \(k)") }
    }

    @Test func aComplaintDoesNotMoveTheProfile() async throws {
        let miner = try await trainedMiner()
        let before = try #require(try miner.store.profile(ofUser: "u000005"))
        let line = #"{"type":"review","user":"u000005","item":"P00020","rating":1,"text":"broke after a day, awful lipstick","ts":1767000000}"#
        _ = try await miner.ingest([.text("c.jsonl", [line])])
        let after = try #require(try miner.store.profile(ofUser: "u000005"))
        #expect(after == before)
    }

    @Test func termsAnswerWithEvidenceClustersAndNoEvidenceNotes() async throws {
        let miner = try await trainedMiner()
        let answer = try miner.terms(user: "u000001", options: TermsOptions(top: 5, explain: true))
        #expect(answer.note == nil)
        #expect(answer.terms.count == 5)
        #expect(answer.terms.allSatisfy { !$0.term.hasPrefix("##") && ($0.evidence >= 1 || $0.next != nil) && $0.cluster < answer.interests.count })
        #expect(answer.terms.allSatisfy { $0.term.unicodeScalars.contains { $0.properties.isAlphabetic } }, "no numbers alone")
        #expect(answer.terms.map(\.score) == answer.terms.map(\.score).sorted(by: >))
        #expect(answer.terms.contains { !($0.support ?? []).isEmpty }, "--explain lists supporting texts")
        let unknown = try miner.terms(user: "nobody")
        #expect(unknown.terms.isEmpty && unknown.note?.hasPrefix("no evidence") == true)
        let late = try miner.terms(user: "u000001", options: TermsOptions(since: 4_000_000_000))
        #expect(late.terms.isEmpty && late.note?.contains("since") == true)
    }

    /// Words that say nothing about a product (spread over items like reviews are) are stored
    /// as generic at train and never become a user's interest terms (`TermSpecificity`).
    @Test func genericWordsAreNotInterestTerms() async throws {
        // Enough reviews (≥ 15 a word) to tell a word's spread from chance.
        let miner = try await trainedMiner(users: 400)
        let rows = try miner.store.terms()
        let generic = Set(rows.filter { TermSpecificity.isGeneric($0.specificity) }.map(\.term))
        #expect(!generic.isEmpty, "the corpus's review templates share words across every kind of product")
        #expect(rows.contains { ($0.specificity ?? 0) > 2 }, "and have words of one kind of product")
        var usersWithGenericWords = 0
        for user in (1...60).map({ String(format: "u%06d", $0) }) {
            let answer = try miner.terms(user: user, options: TermsOptions(top: 15))
            #expect(answer.terms.allSatisfy { !generic.contains($0.term) }, "\(user): \(answer.terms.map(\.term))")
            let texts = (try miner.store.userEventVectors(user) ?? []).compactMap(\.text).joined(separator: " ").lowercased()
            if generic.contains(where: { texts.contains($0) }) { usersWithGenericWords += 1 }
        }
        #expect(usersWithGenericWords >= 10, "users write generic words, which the filter leaves out")
    }

    @Test func nextTermsComeFromItemsBoughtTogetherAndCanBeTurnedOff() async throws {
        let miner = try await trainedMiner()
        var checked = 0
        for user in (1...60).map({ String(format: "u%06d", $0) }) {
            let answer = try miner.terms(user: user, options: TermsOptions(explain: true))
            let next = answer.terms.filter { $0.next != nil }
            guard !next.isEmpty else { continue }
            #expect(next.count <= 3, "at most --next places")
            let touched = Set(try #require(try miner.store.userEventVectors(user)).compactMap(\.item))
            let pointed = Set(try miner.store.itemNeighbours(Array(touched)).values.flatMap { $0.map(\.item) })
            for t in next {
                #expect(t.evidence == 0 && (t.support ?? []).isEmpty, "none of the user's events carries \(t.term)")
                let items = t.next ?? []
                #expect(!items.isEmpty && items.allSatisfy { pointed.contains($0) && !touched.contains($0) },
                        "\(t.term) points to neighbours of the user's items they have not touched: \(items)")
            }
            let off = try miner.terms(user: user, options: TermsOptions(explain: true, nextPlaces: 0))
            #expect(off.terms.allSatisfy { $0.next == nil })
            #expect(Set(answer.terms.filter { $0.next == nil }.map(\.term)).isSubset(of: Set(off.terms.map(\.term))))
            checked += 1
        }
        #expect(checked >= 1, "some users of the corpus get next terms")
    }

    @Test func termsReadNoTextEncoderAndAnswerAsWithOne() async throws {
        let trained = try await trainedMiner()
        _ = try trained.serving.requireTextModel()
        // A new miner on the file loads only the tokenizer and profile model for terms.
        let fresh = try InterestMiner(databasePath: trained.databasePath)
        let options = TermsOptions(top: 8, explain: true)
        for user in ["u000001", "u000002", "u000007", "nobody"] {
            let a = try fresh.terms(user: user, options: options), b = try trained.terms(user: user, options: options)
            #expect(a == b, "\(user)")
        }
        // An unreadable encoder does not stop terms (which never read it); what encodes fails.
        let stored = try #require(try fresh.store.latestModelParameters(kind: ModelKind.textEncoder))
        try fresh.store.saveModel(kind: ModelKind.textEncoder, parameters: stored.parameters, payload: [1, 2, 3])
        #expect(!(try fresh.terms(user: "u000001").terms.isEmpty))
        #expect(throws: InterestMinerError.self) { try fresh.similar(text: "fly rod") }
    }

    @Test func storedCandidateTermsAnswerAsTokenizingDoes() async throws {
        let miner = try await trainedMiner()
        let line = #"{"type":"review","user":"u000003","item":"P00002","rating":5,"text":"Velvet walnut grinder, 哑光口红 too","ts":1767000000}"#
        _ = try await miner.ingest([.text("n.jsonl", [line])])
        let events = try #require(try miner.store.userEventVectors("u000003"))
        #expect(events.filter { $0.text != nil }.allSatisfy { $0.terms != nil }, "train and ingest store every text's candidates")
        #expect(events.filter { $0.itemText != nil }.allSatisfy { $0.itemTextTerms != nil })
        let fresh = try #require(events.first { $0.text?.hasPrefix("Velvet walnut") == true }?.terms)
        let words = TermExtractor.candidates(stored: fresh).map(\.0)
        #expect(words.contains("walnut") && words.contains("walnut grinder"), "\(words)")
        for user in (1...60).map({ String(format: "u%06d", $0) }) {
            var tokenizing = TermsOptions(explain: true)
            tokenizing.ignoreStoredCandidates = true
            #expect(try miner.terms(user: user, options: TermsOptions(explain: true)) == miner.terms(user: user, options: tokenizing), "\(user)")
        }
        #expect(TermExtractor.candidates(stored: TermExtractor.stored([("fly rod", .phrase), ("口红", .cjkWord)])).map(\.0) == ["fly rod", "口红"])
        #expect(TermExtractor.candidates(stored: "x\n1\n9bad\n1ok").map(\.0) == ["ok"], "malformed lines are skipped")
    }

    @Test func chineseUsersGetChineseWordsAndBehaviourOnlyUsersGetItemTerms() async throws {
        // A vocabulary large enough to hold Chinese words (800 tokens is mostly single characters).
        var options = fastTraining
        options.tokenizer.vocabularySize = 3000
        let miner = try await trainedMiner(options: options)
        let truth = try Self.groundTruth()
        let zhUser = try #require(truth.first { $0.language == "zh" }?.user)
        let zh = try miner.terms(user: zhUser)
        #expect(!zh.terms.isEmpty, "\(zhUser): \(zh.note ?? "")")
        #expect(zh.terms.allSatisfy { t in t.term.unicodeScalars.count >= 2 && t.term.unicodeScalars.allSatisfy { (0x4E00...0x9FFF).contains($0.value) } },
                "\(zh.terms.map(\.term))")
        // A user who only bought things gets terms from those items' text.
        let lines = ["P00001", "P00002", "P00003"].enumerated().map { k, item in
            #"{"type":"interaction","user":"silent","item":"\#(item)","action":"purchase","ts":\#(1_767_000_000 + k)}"#
        }
        _ = try await miner.ingest([.text("s.jsonl", lines)])
        let silent = try miner.terms(user: "silent")
        #expect(!silent.terms.isEmpty, "\(silent.note ?? "")")
    }

    struct Truth: Decodable { let user: String; let language: String }

    static func groundTruth() throws -> [Truth] {
        // trainedMiner's corpus: seed 9, 60 users.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-gt-\(UUID().uuidString)")
        let report = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 9, users: 60, items: 64), to: dir.path)
        let text = try String(contentsOfFile: report.groundTruthFile, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Truth.self, from: Data($0.utf8)) }
    }
}
