import Foundation
import InterestCore
@testable import InterestStore
import Testing

/// Two processes on one PostgreSQL store, as two service replicas: a model saved or a generation
/// activated through one is seen by the other through `NOTIFY`, without a query per call and
/// without waiting for the periodic check; a lost listening connection is replaced.
@Suite(.serialized, .enabled(if: Backend.postgresURL != nil, "set INTERESTS_TEST_POSTGRES=postgres://user@host:port/db to run the PostgreSQL tests (.ci/run does)"))
struct ModelVersionWatchTests {
    /// Waits up to `seconds` for `condition`.
    func eventually(_ seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try condition()
    }

    @Test func anotherReplicaSeesNewModelsThroughNotify() throws {
        let writer = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(writer) }
        let replica = try PostgresStore(location: writer.location)
        #expect(try replica.latestVersions().isEmpty)
        #expect(eventually { replica.versionWatch.isListening }, "the replica never started listening")
        _ = try replica.latestVersions()
        // Cached now: a hundred calls ask the server nothing.
        let before = replica.versionWatch.fetches.load(ordering: .relaxed)
        for _ in 0..<100 { #expect(try replica.latestVersions().isEmpty) }
        #expect(replica.versionWatch.fetches.load(ordering: .relaxed) == before)

        // A model saved by the other process: seen at once (the periodic check is 30 s away).
        try writer.saveModel(kind: "cf", parameters: "{}", payload: [1])
        #expect(try eventually { try replica.latestVersions()["cf"] == 1 })
        // A generation activated by the other process: its models appear on the replica.
        var cache = IdentityCache()
        _ = try writer.write(StoreContractTests.events, cache: &cache)
        let build = try writer.beginGeneration(parts: [.itemNeighbour])
        try writer.saveModel(kind: "cf", parameters: "{}", payload: [2], generation: build.id)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try replica.latestVersions()["cf"] == 1, "a building generation's model showed")
        try writer.activateGeneration(build, report: nil)
        #expect(try eventually { try replica.latestVersions()["cf"] == 2 })
        // The writer itself reads its own change at once.
        #expect(try writer.latestVersions()["cf"] == 2)
    }

    @Test func aLostListenerIsReplacedAndAskedMeanwhile() throws {
        let writer = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(writer) }
        let replica = try PostgresStore(location: writer.location)
        _ = try replica.latestVersions()
        #expect(eventually { replica.versionWatch.isListening })
        // The server ends every connection listening on the channel (as a restart would).
        let ended = try writer.pool.withSession("ending listeners") { s in
            try s.value("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid() AND datname = current_database()
                """, as: Int64.self)
        }
        #expect((ended ?? 0) >= 1)
        #expect(eventually { !replica.versionWatch.isListening }, "the lost listener went unnoticed")
        // Meanwhile every call asks the server: a change is seen without any notification.
        try writer.saveModel(kind: "ranker", parameters: "{}", payload: [1])
        #expect(try replica.latestVersions()["ranker"] == 1)
        // The listener comes back by itself, and notifications arrive again.
        #expect(eventually(10) { replica.versionWatch.isListening }, "the listener did not reconnect")
        _ = try replica.latestVersions()
        try writer.saveModel(kind: "ranker", parameters: "{}", payload: [2])
        #expect(try eventually { try replica.latestVersions()["ranker"] == 2 })
    }
}
