import Foundation
import InterestCore
import InterestStore
import Testing

func temporaryDatabasePath(_ name: String = #function) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-store-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("test.sqlite").path
}

@Suite struct InterestStoreTests {
    static let events: [Event] = [
        .item(ItemRecord(item: "P1", title: "Matte lipstick", text: "Long lasting 口红", category: "beauty")),
        .review(Review(user: "u1", item: "P1", rating: 5, text: "口红很好看 💄", timestamp: 1_700_000_000)),
        .query(SearchQuery(user: "u1", text: "fly rod", timestamp: 1_700_000_100)),
        .interaction(Interaction(user: "u1", item: "P2", action: .purchase, timestamp: 1_700_000_200)),
        .interaction(Interaction(user: "u2", item: "P1", action: .rate, rating: 3.5, timestamp: 1_700_000_300)),
    ]

    @Test func roundTripKeepsEveryField() throws {
        let store = try InterestStore(path: temporaryDatabasePath())
        var cache = IdentityCache()
        let outcome = try store.write(Self.events, cache: &cache)
        #expect(outcome.inserted == 5)
        #expect(outcome.newUsers == 2)
        #expect(outcome.newItems == 2)
        let history = try store.history(ofUser: "u1")
        #expect(history == Array(Self.events[1...3]))
        #expect(try store.history(ofUser: "u2") == [Self.events[4]])
        #expect(try store.history(ofUser: "nobody") == nil)
        #expect(try store.itemRecord("P1") == ItemRecord(item: "P1", title: "Matte lipstick", text: "Long lasting 口红", category: "beauty"))
        #expect(try store.itemRecord("P2") == ItemRecord(item: "P2"))
        let s = try store.stats()
        #expect((s.users, s.items, s.describedItems, s.reviews, s.queries, s.interactions) == (2, 2, 1, 1, 1, 2))
        #expect(s.interactionsByAction == ["purchase": 1, "rate": 1])
        #expect(s.firstTimestamp == 1_700_000_000)
        #expect(s.lastTimestamp == 1_700_000_300)
        #expect(s.fileBytes > 0)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func itemNeighboursAreReplacedByAGenerationAndReadBestFirst() throws {
        let store = try InterestStore(path: temporaryDatabasePath())
        var cache = IdentityCache()
        _ = try store.write(Self.events + [.item(ItemRecord(item: "P3"))], cache: &cache)
        let id = Dictionary(uniqueKeysWithValues: try store.externalIDs().items.map { ($0.value, $0.key) })
        let (p1, p2, p3) = (try #require(id["P1"]), try #require(id["P2"]), try #require(id["P3"]))
        let first = try store.beginGeneration(parts: [.itemNeighbour])
        try store.writeItemNeighbours([.init(item: p1, neighbour: p2, score: 0.25, users: 2), .init(item: p1, neighbour: p3, score: 0.5, users: 3),
                                       .init(item: p2, neighbour: p1, score: 0.25, users: 2)], build: first)
        // Not visible before activation.
        #expect(try store.itemNeighbours(["P1"]).isEmpty)
        try store.activateGeneration(first, report: nil) { _ in }
        let got = try store.itemNeighbours(["P1", "P2", "P3", "unknown"])
        #expect(got["P1"]?.map(\.item) == ["P3", "P2"] && got["P1"]?.map(\.score) == [0.5, 0.25])
        #expect(got["P2"]?.map(\.item) == ["P1"] && got["P3"] == nil && got["unknown"] == nil)
        let second = try store.beginGeneration(parts: [.itemNeighbour])
        try store.writeItemNeighbours([.init(item: p3, neighbour: p2, score: 1, users: 2)], build: second)
        try store.activateGeneration(second, report: nil) { _ in }
        let replaced = try store.itemNeighbours(["P1", "P3"])
        #expect(replaced.count == 1 && replaced["P3"]?.first?.item == "P2")
        #expect(try store.generations().map(\.state) == ["active", "retired"])
    }

    @Test func rewritingIsIdempotentEvenWithAFreshCache() throws {
        let path = temporaryDatabasePath()
        let store = try InterestStore(path: path)
        var cache = IdentityCache()
        _ = try store.write(Self.events, cache: &cache)
        var fresh = IdentityCache()
        let again = try InterestStore(path: path).write(Self.events, cache: &fresh)
        #expect(again.inserted == 0)
        #expect(again.duplicates == 5)
        #expect(again.newUsers == 0)
        let s = try store.stats()
        #expect((s.reviews, s.queries, s.interactions) == (1, 1, 2))
    }

    @Test func itemRecordsMergeAndCountUpdates() throws {
        let store = try InterestStore(path: temporaryDatabasePath())
        var cache = IdentityCache()
        _ = try store.write([.interaction(Interaction(user: "u", item: "P9", action: .view, timestamp: 1_700_000_000))], cache: &cache)
        let first = try store.write([.item(ItemRecord(item: "P9", title: "Reel"))], cache: &cache)
        #expect(first.itemsUpdated == 1)
        let same = try store.write([.item(ItemRecord(item: "P9", title: "Reel"))], cache: &cache)
        #expect(same.duplicates == 1)
        _ = try store.write([.item(ItemRecord(item: "P9", category: "fishing"))], cache: &cache)
        #expect(try store.itemRecord("P9") == ItemRecord(item: "P9", title: "Reel", category: "fishing"))
    }

    @Test func oneTransactionRollsBackEverythingOnError() throws {
        struct Stop: Error {}
        let store = try InterestStore(path: temporaryDatabasePath())
        var cache = IdentityCache()
        var calls = 0
        #expect(throws: Stop.self) {
            _ = try store.writeInOneTransaction(cache: &cache) {
                calls += 1
                if calls == 1 { return (Self.events, nil) }
                throw Stop()
            }
        }
        #expect(cache.count == 0)
        let s = try store.stats()
        #expect((s.users, s.items, s.reviews, s.interactions) == (0, 0, 0, 0))
        // The cache was not poisoned by the rolled-back ids: writing again works.
        #expect(try store.write(Self.events, cache: &cache).inserted == 5)
    }

    @Test func aFileThatIsNotADatabaseIsExplained() throws {
        let path = temporaryDatabasePath()
        try Data("this is not sqlite, just text that is long enough to have a header page".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try InterestStore(path: path)
        } throws: { error in
            guard case StoreError.cannotOpen(_, let reason) = error else { return false }
            return reason.contains("not") && reason.contains("database")
        }
    }

    @Test func aMissingFolderIsExplained() {
        #expect(throws: StoreError.self) { _ = try InterestStore(path: "/nonexistent-folder-\(UUID().uuidString)/x.sqlite") }
    }
}

@Suite struct EventsByUserTests {
    struct Seen: Equatable {
        var user: Int64, item: Int64, action: Action?, rating: Double?, time: Int64
    }

    func seen(_ rows: some Sequence<InteractionRow>) -> [Seen] {
        rows.map { Seen(user: $0.user, item: $0.item, action: $0.action, rating: $0.rating, time: $0.timestamp) }
    }

    @Test func eventsAreGroupedByUserInReadOrderUpToTheWatermark() throws {
        let store = try InterestStore(path: temporaryDatabasePath())
        var cache = IdentityCache()
        _ = try store.write(InterestStoreTests.events, cache: &cache)
        let (_, mark) = try store.eventsByUser()
        #expect(mark == EventWatermark(review: 1, interaction: 2))
        _ = try store.write([
            .interaction(Interaction(user: "u3", item: "P2", action: .view, timestamp: 1_700_000_400)),
            .review(Review(user: "u1", item: "P2", rating: 2, text: "meh", timestamp: 1_700_000_500)),
        ], cache: &cache)
        let ids = try store.externalIDs()
        let user = Dictionary(uniqueKeysWithValues: ids.users.map { ($0.value, $0.key) })
        let item = Dictionary(uniqueKeysWithValues: ids.items.map { ($0.value, $0.key) })
        let (u1, u2, u3) = (try #require(user["u1"]), try #require(user["u2"]), try #require(user["u3"]))
        let (p1, p2) = (try #require(item["P1"]), try #require(item["P2"]))
        // Up to the first watermark: u1's review and purchase, u2's rating; the query is no event
        // a model learns from, and the later rows are past the mark.
        let (before, _) = try store.eventsByUser(upTo: mark)
        #expect(before.userIDs == [u1, u2] && before.itemIDs == [p1, p2] && before.count == 3)
        #expect(seen(before) == [Seen(user: u1, item: p1, action: nil, rating: 5, time: 1_700_000_000),
                                 Seen(user: u1, item: p2, action: .purchase, rating: nil, time: 1_700_000_200),
                                 Seen(user: u2, item: p1, action: .rate, rating: 3.5, time: 1_700_000_300)])
        // Everything: u1's reviews before their interactions (each table by row id), u3 added.
        let (all, now) = try store.eventsByUser()
        #expect(now == EventWatermark(review: 2, interaction: 3))
        #expect(all.userIDs == [u1, u2, u3])
        #expect(seen(all) == [Seen(user: u1, item: p1, action: nil, rating: 5, time: 1_700_000_000),
                              Seen(user: u1, item: p2, action: nil, rating: 2, time: 1_700_000_500),
                              Seen(user: u1, item: p2, action: .purchase, rating: nil, time: 1_700_000_200),
                              Seen(user: u2, item: p1, action: .rate, rating: 3.5, time: 1_700_000_300),
                              Seen(user: u3, item: p2, action: .view, rating: nil, time: 1_700_000_400)])
        #expect(seen(all) == seen(all), "a table is iterated again with the same result")
        var dense: [[Int]] = []
        all.forEachEvent { u, i, time, _, _ in dense.append([Int(u), Int(i), Int(time - 1_700_000_000)]) }
        #expect(dense == [[0, 0, 0], [0, 1, 500], [0, 1, 200], [1, 0, 300], [2, 1, 400]])
        #expect(seen(all.events(ofUser: 2)) == [Seen(user: u3, item: p2, action: .view, rating: nil, time: 1_700_000_400)])
        #expect(all.events(ofUser: 3).isEmpty && all.events(ofUser: -1).isEmpty)
        // A forgotten user's events are gone from the next table.
        _ = try store.forget(user: "u2")
        #expect(try store.eventsByUser().table.userIDs == [u1, u3])
    }
}

@Suite struct ReadOnlyStoreTests {
    func fileState(_ path: String) throws -> (Data, Date?) {
        (try Data(contentsOf: URL(fileURLWithPath: path)), try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    }

    @Test func aCurrentDatabaseIsReadWithoutBeingWritten() throws {
        let path = temporaryDatabasePath()
        do {
            let store = try InterestStore(path: path)
            var cache = IdentityCache()
            _ = try store.write(InterestStoreTests.events, cache: &cache)
            try store.saveModel(kind: "k", parameters: "{}", payload: [1, 2, 3])
        }
        let before = try fileState(path)
        Thread.sleep(forTimeInterval: 0.01)
        do {
            let reader = try InterestStore(path: path, readOnly: true)
            #expect(try reader.history(ofUser: "u1") == Array(InterestStoreTests.events[1...3]))
            #expect(try reader.latestModel(kind: "k")?.payload == [1, 2, 3])
            let stored = try #require(try reader.model(kind: "k", version: 1))
            #expect(stored.payload == [1, 2, 3] && stored.parameters == "{}" && stored.kind == "k" && stored.version == 1)
            #expect(try reader.model(kind: "k", version: 2) == nil)
            #expect(throws: StoreError.self) { try reader.saveModel(kind: "k", parameters: "{}", payload: []) }
        }
        let after = try fileState(path)
        #expect(after.0 == before.0, "the database file is not written")
        #expect(after.1 == before.1)
        // It still opens read-write afterwards.
        #expect(try InterestStore(path: path).saveModel(kind: "k", parameters: "{}", payload: []) == 2)
    }

    @Test func aMissingDatabaseIsCreatedAsBefore() throws {
        let path = temporaryDatabasePath()
        let store = try InterestStore(path: path, readOnly: true)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.saveModel(kind: "k", parameters: "{}", payload: []) == 1, "not current: opened read-write")
    }
}
