import Foundation
import InterestCore
@testable import InterestStore
import Synchronization
import Testing

/// Model generations and models keep the same semantics on both backends: what a run builds is
/// invisible until activation, a live run is not disturbed and a dead one is taken over,
/// retention keeps the newest generations, and a watermark covers every write committed before it.
@Suite struct GenerationContractTests {
    func makeStore(_ backend: Backend) throws -> any ModelStore {
        try #require(try backend.makeStore() as? any ModelStore)
    }

    /// Two reviews, a query, three interactions and an item record (`StoreContractTests.events`).
    func seeded(_ backend: Backend) throws -> any ModelStore {
        let store = try makeStore(backend)
        var cache = IdentityCache()
        _ = try store.write(StoreContractTests.events, cache: &cache)
        return store
    }

    /// Row ids by external id (they follow first appearance on both backends, but nothing here
    /// depends on their values).
    func itemIDs(_ store: any ModelStore) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try store.itemCatalogue().map { ($0.external, $0.id) })
    }

    /// Row ids of users and items by external id.
    func rowIDs(_ store: any ModelStore) throws -> (users: [String: Int64], items: [String: Int64]) {
        let names = try store.externalIDs()
        return (Dictionary(uniqueKeysWithValues: names.users.map { ($1, $0) }), Dictionary(uniqueKeysWithValues: names.items.map { ($1, $0) }))
    }

    static let payload: [UInt8] = [0, 1, 2, 127, 128, 255, 0]

    /// `body` fails with ``StoreError/generationAbandoned(_:)`` for generation `id`.
    func expectAbandoned(_ id: Int, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        let error = #expect(throws: StoreError.self, sourceLocation: sourceLocation) { try body() }
        guard case .generationAbandoned(let generation)? = error else {
            Issue.record("expected generation \(id) abandoned, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(generation == id, sourceLocation: sourceLocation)
    }

    @Test(arguments: Backend.available)
    func aBuildingGenerationIsInvisibleUntilActivated(_ backend: Backend) throws {
        let store = try seeded(backend)
        defer { dispose(store) }
        let build = try store.beginGeneration(parts: [.itemNeighbour], takeOver: false, staleAfter: 900)
        #expect(build.watermark == GenerationWatermark(review: 2, query: 1, interaction: 3, itemRevision: 1))
        #expect(try store.generations().first?.state == "building")
        let version = try store.saveModel(kind: "cf", parameters: #"{"k":8}"#, payload: Self.payload, generation: build.id)
        #expect(version == 1)
        #expect(try store.latestModel(kind: "cf") == nil && store.latestModelParameters(kind: "cf") == nil)
        #expect(try store.latestVersions()["cf"] == nil)
        // A cached model's exact version is readable whatever its generation.
        #expect(try store.model(kind: "cf", version: 1)?.payload == Self.payload)
        let id = try itemIDs(store)
        #expect(try store.itemCatalogue().map(\.external) == ["P1", "P2", "P3"])
        try store.writeItemNeighbours([ItemNeighbourRow(item: id["P1"]!, neighbour: id["P3"]!, score: 0.25, users: 1),
                                       ItemNeighbourRow(item: id["P1"]!, neighbour: id["P2"]!, score: 0.5, users: 2)], build: build)
        #expect(try store.itemNeighbours(["P1"]).isEmpty)

        #expect(try store.activateGeneration(build, report: #"{"run":1}"#) == 0)
        let model = try #require(try store.latestModel(kind: "cf"))
        #expect(model.version == 1 && model.parameters == #"{"k":8}"# && model.payload == Self.payload)
        #expect(try store.latestModelParameters(kind: "cf")?.parameters == #"{"k":8}"#)
        #expect(try store.latestVersions()["cf"] == 1)
        let neighbours = try store.itemNeighbours(["P1", "P2", "nope"])
        #expect(neighbours.keys.sorted() == ["P1"])
        #expect(neighbours["P1"]?.map(\.item) == ["P2", "P3"] && neighbours["P1"]?.map(\.score) == [0.5, 0.25])
        // A run's last choice is saved after its activation, visible at once.
        #expect(try store.saveModel(kind: "next-terms", parameters: "{}", payload: [], generation: build.id) == 1)
        #expect(try store.latestVersions()["next-terms"] == 1)
        let info = try #require(try store.generations().first)
        #expect(info.id == build.id && info.state == "active" && info.parts == ["item_neighbour"] && info.report == #"{"run":1}"#)
        // Activating it again is refused: it is no longer building.
        expectAbandoned(build.id) { try store.activateGeneration(build, report: nil) }
    }

    @Test(arguments: Backend.available)
    func aLiveRunIsRefusedAndADeadOneTakenOver(_ backend: Backend) throws {
        let store = try seeded(backend)
        defer { dispose(store) }
        let first = try store.beginGeneration(parts: [.itemNeighbour], takeOver: false, staleAfter: 900)
        let refused = #expect(throws: StoreError.self) { try store.beginGeneration(parts: [.itemNeighbour], takeOver: false, staleAfter: 900) }
        if case .trainingInProgress(let generation, _)? = refused { #expect(generation == first.id) } else { Issue.record("got \(String(describing: refused))") }
        let second = try store.beginGeneration(parts: [.itemNeighbour], takeOver: true, staleAfter: 900)
        #expect(second.id > first.id)
        // The first run's writes now fail, and its activation is refused.
        expectAbandoned(first.id) {
            try store.saveModel(kind: "cf", parameters: "{}", payload: [1], generation: first.id)
        }
        expectAbandoned(first.id) {
            let id = try itemIDs(store)
            try store.writeItemNeighbours([ItemNeighbourRow(item: id["P1"]!, neighbour: id["P2"]!, score: 1, users: 1)], build: first)
        }
        expectAbandoned(first.id) { try store.activateGeneration(first, report: nil) }
        try store.saveModel(kind: "cf", parameters: "{}", payload: [2], generation: second.id)
        try store.activateGeneration(second, report: nil)
        #expect(try store.latestModel(kind: "cf")?.payload == [2])
        #expect(try store.generations().map(\.state) == ["active", "failed"])

        // A run that fails on its own leaves nothing, and the next one needs no take-over.
        let third = try store.beginGeneration(parts: [.itemNeighbour], takeOver: false, staleAfter: 900)
        let lost = try store.saveModel(kind: "cf", parameters: "{}", payload: [3], generation: third.id)
        try store.failGeneration(third.id)
        #expect(try store.model(kind: "cf", version: lost) == nil)
        #expect(try store.latestModel(kind: "cf")?.payload == [2])
        let fourth = try store.beginGeneration(parts: [.itemNeighbour], takeOver: false, staleAfter: 900)
        try store.activateGeneration(fourth, report: nil)
        #expect(try store.generations().map(\.state) == ["active", "failed", "retired", "failed"])
    }

    @Test(arguments: Backend.available)
    func retentionKeepsTheNewestGenerations(_ backend: Backend) throws {
        let store = try seeded(backend)
        defer { dispose(store) }
        let id = try itemIDs(store)
        for run in 1...3 {
            let build = try store.beginGeneration(parts: [.itemNeighbour], takeOver: false, staleAfter: 900)
            try store.saveModel(kind: "cf", parameters: "{}", payload: [UInt8(run)], generation: build.id)
            try store.writeItemNeighbours([ItemNeighbourRow(item: id["P1"]!, neighbour: id[run % 2 == 0 ? "P2" : "P3"]!, score: Double(run), users: run)], build: build)
            try store.activateGeneration(build, report: nil)
            try store.applyRetention(keep: 2, erasingLog: false)
        }
        #expect(try store.generations().map(\.state) == ["active", "retired", "dropped"])
        // The dropped generation's model is superseded and deleted; the kept ones stay.
        #expect(try store.model(kind: "cf", version: 1) == nil)
        #expect(try store.model(kind: "cf", version: 2)?.payload == [2])
        #expect(try store.latestModel(kind: "cf")?.payload == [3])
        #expect(try store.itemNeighbours(["P1"])["P1"]?.map(\.item) == ["P3"] && store.itemNeighbours(["P1"])["P1"]?.map(\.score) == [3])
        if let pg = store as? PostgresStore {
            let copies = try pg.pool.withSession("listing tables") { s in
                try s.rows("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'item_neighbour%' ORDER BY 1")
                    .map { try $0[0].decode(String.self) }
            }
            let kept = try store.generations().first { $0.state == "retired" }?.id ?? -1
            #expect(copies == ["item_neighbour", "item_neighbour_g\(kept)"])
        }
    }

    @Test(arguments: Backend.available)
    func aWatermarkWaitsForTheWritesInFlight(_ backend: Backend) throws {
        let store = try makeStore(backend)
        defer { dispose(store) }
        // A strict ingest holds its transaction open between two batches while a run begins:
        // the watermark must cover both batches (it waits for the commit), not the ids of the
        // first batch only or none of them. Threads, not tasks: both sides block.
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let written = Mutex<Result<WriteOutcome, any Error>?>(nil)
        let begun = Mutex<Result<GenerationBuild, any Error>?>(nil)
        Thread.detachNewThread {
            var cache = IdentityCache()
            var batches = 0
            let result = Result { () throws -> WriteOutcome in
                try store.writeInOneTransaction(cache: &cache) { () -> ([Event], EventVectors?)? in
                    batches += 1
                    if batches == 2 {
                        inside.signal()
                        release.wait()
                    }
                    guard batches <= 2 else { return nil }
                    return ((0..<3).map { k in
                        .interaction(Interaction(user: "u\(batches)", item: "i\(k)", action: .view, timestamp: Int64(1_700_000_000 + batches * 10 + k)))
                    }, nil)
                }
            }
            written.withLock { $0 = result }
            done.signal()
        }
        inside.wait()
        Thread.detachNewThread {
            let result = Result { try store.beginGeneration(parts: [.itemNeighbour], takeOver: false, staleAfter: 900) }
            begun.withLock { $0 = result }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(begun.withLock { $0 == nil }, "the watermark was taken while a write was in flight")
        release.signal()
        done.wait()
        done.wait()
        #expect(try written.withLock { $0 }?.get().inserted == 6)
        #expect(try begun.withLock { $0 }?.get().watermark.interaction == 6)
    }
}

extension GenerationContractTests {
    @Test(arguments: Backend.available)
    func factorsRoundTripAndFollowForget(_ backend: Backend) throws {
        let store = try seeded(backend)
        defer { dispose(store) }
        let (user, item) = try rowIDs(store)
        #expect(user.keys.sorted() == ["u1", "u2", "u3"] && item.keys.sorted() == ["P1", "P2", "P3"])
        let (u1, u2, u3) = (try #require(user["u1"]), try #require(user["u2"]), try #require(user["u3"]))
        let (p1, p2, p3) = (try #require(item["P1"]), try #require(item["P2"]), try #require(item["P3"]))
        let build = try store.beginGeneration(parts: DerivedTable.collaborative, takeOver: false, staleAfter: 900)
        // u3 is forgotten after training read it and before its factors are written: skipped.
        _ = try store.forget(user: "u3")
        let version = try store.writeFactors(parameters: #"{"factors":2}"#, payload: Self.payload,
                                             users: [(u1, [1, 2]), (u2, [3, -4.5]), (u3, [9, 9])],
                                             items: [(p3, [0.25, 1e-3], nil), (p1, [0.5, -0.5], 0.125), (p2, [1, 1], nil)], build: build)
        #expect(version == 1)
        #expect(try store.loadFactors() == nil)
        try store.activateGeneration(build, report: nil)

        let loaded = try #require(try store.loadFactors())
        #expect(loaded.version == 1 && loaded.parameters == #"{"factors":2}"# && loaded.payload == Self.payload)
        #expect(loaded.itemIDs == [p1, p2, p3].sorted() && loaded.factors == 2)
        let byItem = Dictionary(uniqueKeysWithValues: zip(loaded.itemIDs, loaded.externals))
        #expect(byItem == [p1: "P1", p2: "P2", p3: "P3"])
        let row = Dictionary(uniqueKeysWithValues: loaded.itemIDs.enumerated().map { ($1, $0) })
        let i1 = try #require(row[p1]), i3 = try #require(row[p3])
        #expect(Array(loaded.itemFactors[2 * i1..<2 * i1 + 2]) == [0.5, -0.5] && Array(loaded.itemFactors[2 * i3..<2 * i3 + 2]) == [0.25, 1e-3])
        #expect(loaded.biases?[i1] == 0.125 && loaded.biases?[i3] == 0)
        #expect(try store.userFactors([u1, u2, u3], version: 1) == [u1: [1, 2], u2: [3, -4.5]])
        #expect(try store.userFactors([u1], version: 2).isEmpty && store.userFactors([], version: 1).isEmpty)
        #expect(try store.allUserFactors(version: 1) == ["u1": [1, 2], "u2": [3, -4.5]])
        // The activated tables cascade a forget as the originals did.
        _ = try store.forget(user: "u1")
        #expect(try store.allUserFactors(version: 1) == ["u2": [3, -4.5]])
    }
}

extension GenerationContractTests {
    @Test(arguments: Backend.available)
    func eventsByUserKeepTheSQLiteOrder(_ backend: Backend) throws {
        let store = try seeded(backend)
        defer { dispose(store) }
        var cache = IdentityCache()
        // Later rows: an older time but a higher row id (order is by row id within a kind).
        _ = try store.write([.review(Review(user: "u2", item: "P2", rating: 4, text: "later row", timestamp: 1_600_000_000)),
                             .interaction(Interaction(user: "u1", item: "P3", action: .view, timestamp: 1_500_000_000))], cache: &cache)
        let names = try store.externalIDs()
        func rows(_ table: EventsByUser) -> [String] {
            table.map { r in "\(names.users[r.user] ?? "?") \(names.items[r.item] ?? "?") \(r.action.map { "\($0)" } ?? "review") \(r.rating.map { "\($0)" } ?? "-") \(r.timestamp)" }
        }
        let (all, mark) = try store.eventsByUser(upTo: nil)
        #expect(mark == EventWatermark(review: 3, interaction: 4))
        #expect(all.userIDs.map { names.users[$0] } == ["u1", "u2", "u3"] && all.itemIDs.count == 3)
        #expect(rows(all) == [
            "u1 P1 review 5.0 1700000000", "u1 P2 purchase - 1700000200", "u1 P3 view - 1500000000",
            "u2 P2 review 4.0 1600000000", "u2 P1 rate 3.5 1700000300", "u2 P1 rate 0.5 1700000400",
            "u3 P3 review - -86401",
        ])
        // Up to an older watermark: the later rows are left out.
        let (older, same) = try store.eventsByUser(upTo: EventWatermark(review: 2, interaction: 3))
        #expect(same == EventWatermark(review: 2, interaction: 3))
        #expect(rows(older) == ["u1 P1 review 5.0 1700000000", "u1 P2 purchase - 1700000200", "u2 P1 rate 3.5 1700000300",
                                "u2 P1 rate 0.5 1700000400", "u3 P3 review - -86401"])
        // One user's rows: reviews, then interactions, each by row id.
        let u2 = try #require(try store.interactionRows(ofUser: "u2"))
        #expect(u2.map { "\(names.items[$0.item] ?? "?") \($0.rating ?? -1)" } == ["P2 4.0", "P1 3.5", "P1 0.5"])
        #expect(try store.interactionRows(ofUser: "nobody") == nil)
        let empty = try makeStore(backend)
        defer { dispose(empty) }
        let (none, zero) = try empty.eventsByUser(upTo: nil)
        #expect(none.isEmpty && none.userIDs.isEmpty && zero == EventWatermark(review: 0, interaction: 0))
    }
}

extension GenerationContractTests {
    @Test(arguments: Backend.available)
    func collaborativeServingReads(_ backend: Backend) throws {
        let store = try seeded(backend)
        defer { dispose(store) }
        let names = try store.externalIDs()
        let (user, item) = try rowIDs(store)
        let (p1, p2, p3) = (try #require(item["P1"]), try #require(item["P2"]), try #require(item["P3"]))
        // Reviews 1 (u1, P1) and 2 (u3, P3); interactions 1 (u1, P2), 2 and 3 (u2, P1).
        let mark = EventWatermark(review: 1, interaction: 2)
        let state = try store.servingState()
        #expect(state.versions.isEmpty && state.maxItem == max(p1, p2, p3))
        #expect(try store.userActivity("u1", after: mark, factorVersion: nil) == UserActivity(items: [p1, p2], newSinceWatermark: false, factor: nil))
        #expect(try store.userActivity("u2", after: mark, factorVersion: nil) == UserActivity(items: [p1], newSinceWatermark: true, factor: nil))
        #expect(try store.userActivity("nobody", after: mark, factorVersion: nil) == nil)
        #expect(try store.usersWithEvents(after: mark) == ["u2", "u3"])
        #expect(try store.usersWithEvents(after: EventWatermark(review: 2, interaction: 3)).isEmpty)
        let newer = try store.interactionRows(after: mark) { _ in true }
        #expect(newer.map { "\(names.users[$0.user] ?? "?") \(names.items[$0.item] ?? "?") \($0.rating ?? -1)" } == ["u3 P3 -1.0", "u2 P1 0.5"])
        #expect(try store.interactionRows(after: mark) { $0 == p3 }.map(\.item) == [p3])
        // The factors of the model version asked for come with the activity.
        let build = try store.beginGeneration(parts: DerivedTable.collaborative, takeOver: false, staleAfter: 900)
        let u1 = try #require(user["u1"])
        let version = try store.writeFactors(parameters: "{}", payload: [], users: [(u1, [1, 2])], items: [(p1, [1, 0], nil)], build: build)
        try store.activateGeneration(build, report: nil)
        #expect(try store.userActivity("u1", after: mark, factorVersion: version)?.factor == [1, 2])
        #expect(try store.userActivity("u1", after: mark, factorVersion: version + 1)?.factor == nil)
        #expect(try store.servingState().versions["cf"] == version)
    }
}

extension GenerationContractTests {
    /// PostgreSQL knows a dead run at once: its lease (a session lock on the run's connection)
    /// goes with its process, so the next run needs no take-over and no wait.
    @Test(.enabled(if: Backend.postgresURL != nil, "set INTERESTS_TEST_POSTGRES=postgres://user@host:port/db to run the PostgreSQL tests (.ci/run does)"))
    func aKilledRunsLeaseEndsWithIt() throws {
        let next = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(next) }
        var cache = IdentityCache()
        _ = try next.write(StoreContractTests.events, cache: &cache)
        let active = try next.beginGeneration(parts: [.itemNeighbour])
        try next.saveModel(kind: "cf", parameters: "{}", payload: [1], generation: active.id)
        try next.activateGeneration(active, report: nil)
        var dead: Int?
        do {
            // A worker process: it starts a run, writes part of it, and dies (its connections close).
            let worker = try PostgresStore(location: next.location)
            let build = try worker.beginGeneration(parts: [.itemNeighbour])
            try worker.saveModel(kind: "cf", parameters: "{}", payload: [2], generation: build.id)
            dead = build.id
            #expect(throws: StoreError.self) { try next.beginGeneration(parts: [.itemNeighbour]) }
        }
        // The active generation is untouched, and the next run starts at once without a take-over.
        #expect(try next.latestModel(kind: "cf")?.payload == [1])
        let build = try next.beginGeneration(parts: [.itemNeighbour])
        #expect(try next.generations().first { $0.id == dead }?.state == "failed")
        try next.saveModel(kind: "cf", parameters: "{}", payload: [3], generation: build.id)
        try next.activateGeneration(build, report: nil)
        #expect(try next.latestModel(kind: "cf")?.payload == [3])
    }

    /// A forget of a table's newest events never lets a later event take one of their ids (on
    /// SQLite a new row takes one above the highest id left): what arrives after a watermark has
    /// ids above it, so the catch-up and "newer than the model" see it.
    @Test(arguments: Backend.available)
    func idsNeverGoBackAfterAForgetOfTheNewestEvents(_ backend: Backend) throws {
        let store = try seeded(backend)
        defer { dispose(store) }
        let build = try store.beginGeneration(parts: [.itemNeighbour], takeOver: false, staleAfter: 900)
        // u3's review is the newest review, u2's ratings the newest interactions.
        #expect(try store.forget(user: "u3") != nil && store.forget(user: "u2") != nil)
        var cache = IdentityCache()
        _ = try store.write([.review(Review(user: "u5", item: "P1", rating: 4, text: "new", timestamp: 1_700_002_000)),
                             .interaction(Interaction(user: "u5", item: "P1", action: .view, timestamp: 1_700_002_100))], cache: &cache)
        let mark = EventWatermark(review: build.watermark.review, interaction: build.watermark.interaction)
        #expect(try store.usersWithEvents(after: mark) == ["u5"])
        #expect(try store.interactionRows(after: mark) { _ in true }.count == 2)
        try store.failGeneration(build.id)
    }
}
