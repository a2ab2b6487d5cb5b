import Dispatch
import Foundation
import InterestCore
@testable import InterestStore
import NIOCore
import PostgresNIO
import Synchronization
import Testing

/// The server going away under load, as a PostgreSQL restart does to a service: every call ends
/// (answered, or `unavailable` for a 503 and a retry), none waits for ever, the pool recovers by
/// itself, and no acknowledged write is lost. The restart is played by ending this store's
/// connections on the server (`pg_terminate_backend`, what a fast shutdown sends each backend),
/// so the tests running beside it on the same server are not disturbed.
@Suite(.serialized, .enabled(if: Backend.postgresURL != nil, "set INTERESTS_TEST_POSTGRES=postgres://user@host:port/db to run the PostgreSQL tests (.ci/run does)"))
struct PostgresOutageTests {
    @Test(.timeLimit(.minutes(1)))
    func anAnswerThatCanNeverComeEndsOnceItsConnectionIsClosed() throws {
        let store = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(store) }
        let connection = try store.pool.connectOwned("test")
        try connection.close().wait()
        // Nothing will ever signal this: the wait ends because the connection is closed.
        #expect(throws: PostgresConnectionLost.self) { try PostgresBlocking.wait(for: DispatchSemaphore(value: 0), watching: connection) }
        #expect(PostgresPool.map(PostgresConnectionLost(), "reading", store.location).isUnavailable)

        // A live connection is never cut short, however long its statement runs.
        let live = try store.pool.connectOwned("test")
        defer { _ = try? live.close().wait() }
        let slept = try PostgresSession(connection: live).execute("SELECT pg_sleep(\(PostgresBlocking.closedGrace.components.seconds + 1))")
        #expect(slept == 1)
    }

    @Test
    func connectionsEndedUnderWriteLoadFailAsUnavailableAndLoseNoAcknowledgedWrite() throws {
        let created = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(created) }
        var location = created.location
        location.applicationName = "interests-outage-\(UUID().uuidString.prefix(8).lowercased())"
        let store = try PostgresStore(location: location)

        let acknowledged = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        let unavailable = Atomic<Int>(0)
        let writers = 4, batches = 60
        let group = DispatchGroup()
        for w in 0..<writers {
            DispatchQueue.global().async(group: group) {
                var cache = IdentityCache()
                for b in 0..<batches {
                    let ids = (0..<20).map { "q-\(w)-\(b)-\($0)" }
                    let events = ids.enumerated().map { i, id in
                        Event.query(SearchQuery(eventID: id, user: "u\((w * 31 + i) % 50)", text: "tent \(b)", timestamp: 1_700_000_000 + Int64(b)))
                    }
                    do throws(StoreError) {
                        _ = try store.write(events, cache: &cache)
                        acknowledged.withLock { $0 += ids }
                    } catch where error.isUnavailable {
                        unavailable.add(1, ordering: .relaxed)
                        cache = IdentityCache()
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
        }
        // The "restart": every connection of this store ended, again and again, while they write.
        let admin = try store.pool.connectOwned("test")
        defer { _ = try? admin.close().wait() }
        var ended = 0
        var name = PostgresBindings()
        name.append(location.applicationName)
        for _ in 0..<15 {
            ended += Int(try PostgresSession(connection: admin).value("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE application_name = $1 AND pid <> pg_backend_pid()
                """, name, as: Int64.self) ?? 0)
            Thread.sleep(forTimeInterval: 0.1)
        }
        // Without the watch on closed connections a write waited here for ever (postgres-nio's
        // COPY leaks its continuation when the connection closes under it).
        guard group.wait(timeout: .now() + 60) == .success else {
            Issue.record("a write never returned after its connection was ended")
            return
        }

        #expect(failures.withLock { $0 }.isEmpty, "errors other than unavailable: \(failures.withLock { $0.prefix(3) })")
        #expect(ended > 0, "no connection was ended: the load never met the outage")
        // Recovered by itself: the next write goes through on a new connection.
        var cache = IdentityCache()
        _ = try store.write([.query(SearchQuery(eventID: "after", user: "u1", text: "after", timestamp: 1_700_000_999))], cache: &cache)
        let acked = acknowledged.withLock { $0 } + ["after"]
        var list = PostgresBindings()
        list.append(acked)
        let found = try store.pool.withSession("counting") { s in
            try s.value("SELECT count(*) FROM query WHERE event_id = ANY($1)", list, as: Int64.self)
        }
        #expect(found == Int64(acked.count), "\(acked.count) acknowledged, \(found ?? 0) stored")
        #expect(acked.count + unavailable.load(ordering: .relaxed) * 20 == writers * batches * 20 + 1)
    }
}

extension StoreError {
    var isUnavailable: Bool { if case .unavailable = self { true } else { false } }
}
