import Foundation
import InterestCore
@testable import InterestStore
import Testing

/// The text models' tables keep the same semantics on both backends (`TextStore`): a run's
/// vectors, terms and profiles written into its build tables read back as written once
/// activated; item sums and profiles are exact (known answers computed here); a forget during
/// the run leaves nothing of the user; the catch-up brings in what arrived meanwhile; ingest with
/// vectors keeps the active tables current and refuses another encoder's vectors.
@Suite struct TextContractTests {
    static let dimension = 3
    static let rule = ProfileRule()
    static var profile: ProfileBuild { ProfileBuild(rule: rule, version: 1, dimension: dimension) }

    func close(_ a: [Float]?, _ b: [Float]?, _ tolerance: Float = 1e-5) -> Bool {
        guard let a, let b, a.count == b.count else { return a == nil && b == nil }
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// A catch-up encoder that gives every text the vector [0, 0, 1] and no terms.
    static let catchUp = CatchUpText(version: 1, profile: profile, textsPerStep: 1) { texts in texts.map { _ in ([0, 0, 1], nil) } }

    /// `StoreContractTests.events`, then a text generation built by hand: reviews [1,0,0] (u1 on
    /// P1) and [0,2,0] (u3 on P3), the query [0,0,3], P1's own text [1,1,0]. `beforeActivation`
    /// runs between the build writes and the activation (the catch-up takes in what it wrote).
    func textGeneration(_ backend: Backend, beforeActivation: (any ModelStore, GenerationBuild) throws -> Void = { _, _ in })
        throws -> (store: any ModelStore, users: [String: Int64], items: [String: Int64]) {
        let store = try #require(try backend.makeStore() as? any ModelStore)
        var cache = IdentityCache()
        _ = try store.write(StoreContractTests.events, cache: &cache)
        let names = try store.externalIDs()
        let users = Dictionary(uniqueKeysWithValues: names.users.map { ($1, $0) }), items = Dictionary(uniqueKeysWithValues: names.items.map { ($1, $0) })
        #expect(try store.hasText())
        var texts: [String] = []
        #expect(try store.forEachText(batchSize: 2) { texts += $0 } == 5)
        #expect(texts == ["Matte lipstick", "Long lasting 口红", "口红很好看 💄 tab\there\nnew line \\ backslash \r end", "before 1970", "fly rod"])

        let build = try store.beginGeneration(parts: DerivedTable.text, takeOver: false, staleAfter: 900)
        // Pages of one review, oldest first, then nothing.
        let first = try store.eventTexts(.review, after: 0, upTo: build.watermark.review, limit: 1)
        let second = try store.eventTexts(.review, after: first.last?.id ?? 0, upTo: build.watermark.review, limit: 1)
        #expect(first.map(\.itemID) == [items["P1"]] && second.map(\.text) == ["before 1970"] && second.map(\.itemID) == [items["P3"]])
        #expect(try store.eventTexts(.review, after: second.last?.id ?? 0, upTo: build.watermark.review, limit: 1).isEmpty)
        let query = try #require(try store.eventTexts(.query, after: 0, upTo: build.watermark.query, limit: 10).first)
        try store.writeEventVectors(.review, version: 1, [(try #require(first.first).id, [1, 0, 0]), (try #require(second.first).id, [0, 2, 0])],
                                    terms: ["1口红", nil], build: build)
        try store.writeEventVectors(.query, version: 1, [(query.id, [0, 0, 3])], terms: ["1fly\n1rod"], build: build)
        let itemTexts = try store.itemTexts()
        #expect(itemTexts.map(\.external) == ["P1", "P2", "P3"] && itemTexts.first?.title == "Matte lipstick")
        try store.writeItemVectors(version: 1, texts: itemTexts.map { ($0.id, $0.external == "P1" ? [1, 1, 0] : nil) }, build: build)
        try store.writeItemTextTerms(version: 1, [(try #require(items["P1"]), "1matte\n1lipstick")], build: build)
        try store.writeTerms(version: 1, [TermRow(term: "口红", kind: 1, documentFrequency: 2, vector: [0.5, 0.5, 0], specificity: 1.5),
                                          TermRow(term: "fly", kind: 2, documentFrequency: 1, vector: nil)], build: build)
        try store.writeItemTerms([(try #require(items["P1"]), "口红", 1.0)], build: build)
        #expect(try store.buildProfiles(Self.profile, build: build) == 3, "u1, u2 (rated P1, which has a text vector) and u3")
        _ = try store.saveModel(kind: ModelKind.textEncoder, parameters: "{}", payload: [], generation: build.id)
        try beforeActivation(store, build)
        var mark = build.watermark
        while true {
            let (next, rows) = try store.catchUp(build, from: mark, text: Self.catchUp)
            if rows == 0 { break }
            mark = next
        }
        try store.activateGeneration(build, report: nil, catchingUpFrom: mark, text: Self.catchUp)
        return (store, users, items)
    }

    /// The profile `events` fold into under the rule (what ingest and the rebuild both compute).
    func expectedProfile(_ events: [(kind: ProfileRule.EventKind, own: [Float]?, item: [Float]?, rating: Double?, action: Action?, time: Int64)]) -> DecayedSum? {
        var accumulator = ProfileAccumulator(rule: Self.rule, dimension: Self.dimension)
        for e in events {
            accumulator.add(user: 1, kind: e.kind, own: e.own, item: e.item, rating: e.rating, action: e.action, at: e.time, loaded: DecayedSum(dimension: Self.dimension))
        }
        return accumulator.sums[1]
    }

    @Test(arguments: Backend.available)
    func aTextGenerationReadsBackAsWritten(_ backend: Backend) throws {
        let (store, users, items) = try textGeneration(backend)
        defer { dispose(store) }
        let (p1, p2, p3) = (try #require(items["P1"]), try #require(items["P2"]), try #require(items["P3"]))
        let rows = try store.itemVectorRows()
        #expect(rows[p1]?.reviewSum == [1, 0, 0] && rows[p1]?.reviewCount == 1 && rows[p1]?.textVector == [1, 1, 0])
        #expect(rows[p1]?.vector == ItemVectorRule.combine(text: [1, 1, 0], reviewSum: [1, 0, 0], reviewCount: 1))
        #expect(rows[p3]?.reviewSum == [0, 2, 0] && rows[p3]?.textVector == nil && rows[p2]?.reviewCount == 0)
        let matrix = try store.itemVectorMatrix(rowOf: [p1: 0, p2: 1, p3: 2], rows: 3, dimension: 3, in: .active)
        #expect(Array(matrix[0..<3]) == (rows[p1]?.vector ?? []) && Array(matrix[3..<6]) == [0, 0, 0])
        #expect(try store.itemVectors().map(\.item) == ["P1", "P3"])
        #expect(try store.reviewVectors(ofUsers: [try #require(users["u1"])]).map(\.vector) == [[1, 0, 0]])
        #expect(try store.reviewVectors(ofItems: [p3]).map(\.rating) == [nil])
        #expect(try store.queryVectors(ofUsers: [try #require(users["u1"])], in: .active).map(\.vector) == [[0, 0, 3]])

        #expect(try store.terms().map(\.term) == ["口红", "fly"])
        let named = try store.terms(named: ["fly", "nope"])
        #expect(named.keys.sorted() == ["fly"] && named["fly"]?.vector == nil && named["fly"]?.kind == 2)
        #expect(try store.terms(named: ["口红"])["口红"]?.specificity == 1.5)
        let itemTerms = try store.itemTerms(["P1", "P2"])
        #expect(itemTerms.keys.sorted() == ["P1"] && itemTerms["P1"]?.map(\.term) == ["口红"])
        let documents = try store.termDocuments()
        #expect(documents.reviewTerms["P1"]?.map(\.reviews) == [1.0] && documents.textTerms == ["P1": "1matte\n1lipstick"])

        let sums = try store.userTextVectorSums()
        #expect(sums["u1"]?.sum == [1, 0, 3] && sums["u1"]?.count == 2 && sums["u3"]?.sum == [0, 2, 0] && sums["u2"] == nil)
        #expect(try store.userTextState("u1") == UserTextState(sum: [1, 0, 3], items: ["P1", "P2"]))
        #expect(try store.userTextState("nobody") == nil)
        let history = try #require(try store.userEventVectors("u1"))
        #expect(history.map(\.kind) == [.review, .query, .interaction])
        #expect(history[0].vector == [1, 0, 0] && history[0].terms == "1口红" && history[0].itemTextTerms == "1matte\n1lipstick" && history[0].itemVector == [1, 1, 0])
        #expect(history[1].terms == "1fly\n1rod" && history[2].item == "P2" && history[2].vector == nil)

        // Profiles: u1's review (own vector and P1's text), query and purchase of P2 (no vector).
        let t = Int64(1_700_000_000)
        let u1 = try #require(expectedProfile([(.review, [1, 0, 0], [1, 1, 0], 5, nil, t), (.query, [0, 0, 3], nil, nil, nil, t + 100),
                                               (.interaction, nil, nil, nil, .purchase, t + 200)]))
        let directions = try store.profileDirections(version: 1)
        #expect(close(directions[try #require(users["u1"])], u1.direction))
        #expect(try store.userRankingState("u1", after: nil, factorVersion: nil)?.profile?.profile.sum == u1.sum)
        #expect(directions.count == 3)
    }

    @Test(arguments: Backend.available)
    func aRunCatchesUpAndLeavesOutWhatWasForgotten(_ backend: Backend) throws {
        let (store, users, items) = try textGeneration(backend) { store, _ in
            // During the run: u3 is forgotten, u4 reviews P1 (no text model active yet: no vectors).
            #expect(try store.forget(user: "u3") != nil)
            var cache = IdentityCache()
            _ = try store.write([.review(Review(user: "u4", item: "P1", rating: 4, text: "nice", timestamp: 1_700_001_000))], cache: &cache)
        }
        defer { dispose(store) }
        let (p1, p3) = (try #require(items["P1"]), try #require(items["P3"]))
        let rows = try store.itemVectorRows()
        // P1: u1's [1,0,0] plus the caught-up review's [0,0,1]; P3: u3's review gone with u3.
        #expect(rows[p1]?.reviewSum == [1, 0, 1] && rows[p1]?.reviewCount == 2)
        #expect(rows[p3]?.reviewSum == nil && rows[p3]?.reviewCount == 0)
        #expect(try store.userEventVectors("u4")?.first?.vector == [0, 0, 1])
        let u4 = try #require(expectedProfile([(.review, [0, 0, 1], [1, 1, 0], 4, nil, 1_700_001_000)]))
        #expect(try store.userRankingState("u4", after: nil, factorVersion: nil)?.profile?.profile.sum == u4.sum)
        #expect(users["u3"] != nil)
        #expect(try store.userEventVectors("u3") == nil)
        #expect(try store.userTextVectorSums()["u3"] == nil)
    }

    @Test(arguments: Backend.available)
    func ingestKeepsTheActiveTextTablesAndRefusesAnotherEncoder(_ backend: Backend) throws {
        let (store, _, items) = try textGeneration(backend)
        defer { dispose(store) }
        let p1 = try #require(items["P1"])
        var cache = IdentityCache()
        let review = Event.review(Review(user: "u1", item: "P1", rating: 3, text: "again", timestamp: 1_700_000_500))
        let record = Event.item(ItemRecord(item: "P1", title: "Satin lipstick"))
        for (version, vectors) in [(0, nil), (2, EventVectors(version: 2, vectors: [[0, 1, 0]]))] as [(Int, EventVectors?)] {
            let error = #expect(throws: StoreError.self) { _ = try store.write([review], vectors: vectors, cache: &cache) }
            guard case .staleTextModel(let encoded, let active)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(encoded == version && active == 1)
        }
        let vectors = EventVectors(version: 1, vectors: [[0, 1, 0], [2, 0, 0]], terms: ["1again", "1satin"], profile: Self.rule, dimension: Self.dimension)
        let outcome = try store.write([review, record], vectors: vectors, cache: &cache)
        #expect(outcome.inserted == 1 && outcome.itemsUpdated == 1)
        let row = try #require(try store.itemVectorRows()[p1])
        #expect(row.reviewSum == [1, 1, 0] && row.reviewCount == 2 && row.textVector == [2, 0, 0])
        #expect(row.vector == ItemVectorRule.combine(text: [2, 0, 0], reviewSum: [1, 1, 0], reviewCount: 2))
        #expect(try store.userEventVectors("u1")?.first { $0.text == "again" }?.terms == "1again")
        #expect(try store.termDocuments().textTerms["P1"] == "1satin")
        // u1's stored profile plus the new review (P1's text vector was [1,1,0] when it was added).
        let t = Int64(1_700_000_000)
        let u1 = try #require(expectedProfile([(.review, [1, 0, 0], [1, 1, 0], 5, nil, t), (.query, [0, 0, 3], nil, nil, nil, t + 100),
                                               (.interaction, nil, nil, nil, .purchase, t + 200), (.review, [0, 1, 0], [1, 1, 0], 3, nil, t + 500)]))
        let stored = try #require(try store.userRankingState("u1", after: nil, factorVersion: nil)?.profile?.profile)
        #expect(close(stored.sum.map(Float.init), u1.sum.map(Float.init)) && stored.events == u1.events)
        // The same batch again: duplicates, nothing added twice.
        #expect(try store.write([review], vectors: EventVectors(version: 1, vectors: [[0, 1, 0]], profile: Self.rule, dimension: 3), cache: &cache).duplicates == 1)
        #expect(try store.itemVectorRows()[p1]?.reviewCount == 2)
        // Forget takes the user's reviews out of the item's sum.
        #expect(try store.forget(user: "u1")?.itemVectorsUpdated == 1)
        #expect(try store.itemVectorRows()[p1]?.reviewCount == 0 && store.itemVectorRows()[p1]?.reviewSum == nil)
    }
}
