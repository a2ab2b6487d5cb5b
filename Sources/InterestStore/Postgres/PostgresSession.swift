import Dispatch
import Foundation
import NIOCore
import PostgresNIO
import Synchronization

/// One connection while a store method holds it: blocking statement helpers.
struct PostgresSession {
    let connection: PostgresConnection

    /// Runs one statement; returns the rows it changed (its command tag's count).
    @discardableResult
    func execute(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> Int {
        let result = try answer(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: PostgresPool.logger))
        return result.metadata.rows ?? 0
    }

    /// Runs one query and returns its rows.
    func rows(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> [PostgresRandomAccessRow] {
        try answer(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: PostgresPool.logger)).rows.map { $0.makeRandomAccess() }
    }

    /// Streams every row of a query to `body` in order (on the connection's event loop), without
    /// holding them all.
    func forEachRow(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), _ body: @escaping @Sendable (PostgresRow) throws -> Void) throws {
        _ = try answer(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: PostgresPool.logger, body))
    }

    /// The one value of a one-row, one-column query (nil for no row or NULL).
    func value<T: PostgresDecodable>(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), as: T.Type = T.self) throws -> T? {
        guard let row = try rows(sql, binds).first, row[0].bytes != nil else { return nil }
        return try row[0].decode(T.self)
    }

    /// Waits for a statement's answer while watching its connection (see ``PostgresBlocking``).
    private func answer<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        try PostgresBlocking.wait(for: done, watching: connection)
        guard let result = outcome.withLock({ $0 }) else { throw PostgresConnectionLost() }
        return try result.get()
    }

    /// `COPY table(columns) FROM STDIN` in text format with `data` (tab-separated lines).
    func copy(into table: String, columns: [String], _ data: ByteBuffer) throws {
        let rest = Mutex(data)
        try copy(into: table, columns: columns) {
            rest.withLock { rest in
                guard let piece = rest.readSlice(length: min(rest.readableBytes, 1 << 20)), piece.readableBytes > 0 else { return nil }
                return piece
            }
        }
    }

    /// `COPY` of the pieces `next` makes, each sent as soon as it is made, until it returns nil:
    /// the server reads one piece while the next is written.
    func copy(into table: String, columns: [String], _ next: @escaping @Sendable () -> ByteBuffer?) throws {
        let connection = self.connection
        try PostgresBlocking.run(watching: connection) {
            try await connection.copyFrom(table: table, columns: columns, logger: PostgresPool.logger) { writer in
                while let piece = next() { try await writer.write(piece) }
            }
        }
    }
}

/// A statement whose connection closed under it and whose answer never came: postgres-nio can
/// leave a query sent while the connection is closing unanswered for ever (vapor/postgres-nio
/// #487, whose fix was reverted in #501). Found restarting PostgreSQL under load: a request
/// thread waited for ever and `serve` would not stop. Reported as the server being unavailable.
struct PostgresConnectionLost: Error {}

/// Blocking waits for postgres-nio's answers, bounded by the connection's life rather than by a
/// clock: a statement may rightly run for minutes (a training run's scan, an index build, a
/// lock wait), but once its connection is closed the answer either comes at once or never.
enum PostgresBlocking {
    /// How long an answer may still take once its connection is closed.
    static let closedGrace = Duration.milliseconds(500)
    static let poll = DispatchTimeInterval.milliseconds(100)

    /// Waits for `done`; throws ``PostgresConnectionLost`` when `connection` has been closed for
    /// ``closedGrace`` without `done` being signalled.
    static func wait(for done: DispatchSemaphore, watching connection: PostgresConnection) throws {
        var closedSince: ContinuousClock.Instant?
        while done.wait(timeout: .now() + poll) == .timedOut {
            guard connection.isClosed else { closedSince = nil; continue }
            let now = ContinuousClock.now
            if let since = closedSince {
                if now - since >= closedGrace { throw PostgresConnectionLost() }
            } else {
                closedSince = now
            }
        }
    }

    /// Runs an async operation to completion while the calling thread waits, on an executor of
    /// its own (a concurrent dispatch queue), so a caller on Swift's cooperative pool cannot
    /// starve it.
    final class Queue: TaskExecutor {
        let queue = DispatchQueue(label: "InterestMiner.postgres", attributes: .concurrent)

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            queue.async { job.runSynchronously(on: executor) }
        }
    }

    static let executor = Queue()

    static func run(watching connection: PostgresConnection, _ body: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            do { try await body() } catch { outcome.withLock { $0 = error } }
            done.signal()
        }
        try wait(for: done, watching: connection)
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}
