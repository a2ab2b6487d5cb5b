import Foundation
import GRDB
@testable import InterestStore
import Testing

/// A training run's build transactions give way to the writes of requests (`buildWrite`), and
/// run their checkpoints beside the writer (`checkpointBeside`).
@Suite struct WriterPriorityTests {
    @Test func queuedForegroundWritesGoBeforeTheNextBuildTransaction() throws {
        let store = try InterestStore(path: temporaryDatabasePath())
        try store.write("table") { db in try db.execute(sql: "CREATE TABLE log(who TEXT)") }
        let queue = DispatchQueue(label: "requests")  // the service's serial write queue
        let done = DispatchGroup()
        // The run's first transaction holds the writer while two requests queue their writes;
        // the second can only start when the first has finished.
        try store.buildWrite("build 1") { db in
            try db.execute(sql: "INSERT INTO log VALUES ('build 1')")
            for name in ["request 1", "request 2"] {
                store.foregroundWriteQueued()
                done.enter()
                queue.async {
                    defer { store.foregroundWriteEnded(); done.leave() }
                    _ = try? store.write(name) { db in
                        try db.execute(sql: "INSERT INTO log VALUES (?)", arguments: [name])
                        Thread.sleep(forTimeInterval: 0.03)  // the run asks for the writer meanwhile
                    }
                }
            }
            Thread.sleep(forTimeInterval: 0.03)
        }
        // The run's next transaction is asked for at once; both queued requests go first.
        try store.buildWrite("build 2") { db in try db.execute(sql: "INSERT INTO log VALUES ('build 2')") }
        done.wait()
        let order = try store.read("log") { db in try String.fetchAll(db, sql: "SELECT who FROM log ORDER BY rowid") }
        #expect(order == ["build 1", "request 1", "request 2", "build 2"])
        #expect(store.foregroundWrites.load(ordering: .relaxed) == 0)
    }

    @Test func aBuildTransactionDoesNotWaitForeverForAStreamOfWrites() throws {
        let store = try InterestStore(path: temporaryDatabasePath())
        // A foreground write that never ends (as a steady stream would look): the build goes in
        // after the yield limit.
        store.foregroundWrites.add(1, ordering: .relaxed)
        let clock = ContinuousClock()
        let start = clock.now
        try store.buildWrite("build") { db in try db.execute(sql: "CREATE TABLE t(x)") }
        #expect(clock.now - start >= InterestStore.buildYieldLimit)
        store.foregroundWrites.subtract(1, ordering: .relaxed)
    }

    @Test func checkpointsBesideTheWriterCopyTheLogIntoTheFile() throws {
        let path = temporaryDatabasePath()
        let store = try InterestStore(path: path)
        try store.write("rows") { db in
            try db.execute(sql: "CREATE TABLE t(x BLOB)")
            for _ in 0..<200 { try db.execute(sql: "INSERT INTO t VALUES (zeroblob(4000))") }
        }
        // 800 KB committed to the log only (far below the automatic checkpoint's 64 MB).
        let before = try Self.fileSize(path)
        #expect(before < 400_000)
        store.checkpointBeside()
        #expect(try Self.fileSize(path) >= 800_000, "the rows are in the database file")
        try store.write("more") { db in try db.execute(sql: "INSERT INTO t VALUES (zeroblob(4000))") }
        store.checkpointBeside()  // within 100 ms of the last one: skipped, nothing fails
    }

    static func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
