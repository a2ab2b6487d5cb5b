import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The PostgreSQL connections of one store, used synchronously: the store's methods are plain
/// blocking calls like the SQLite backend's, so the façade is the same over both. A method
/// takes an idle connection (or opens one), runs its statements — one transaction — and gives
/// it back. A connection that failed is closed, not returned, so a restarted server is
/// reconnected to by the next call; while the server is down a call fails within the connect
/// timeout with ``StoreError/unavailable(location:reason:)``.
///
/// Statements run through postgres-nio's event-loop futures and wait for them on the calling
/// thread; COPY, which postgres-nio offers only as an async function, runs as a task on a
/// dispatch queue of its own (never on Swift's cooperative pool, which a blocked caller may be
/// using) while the caller waits.
final class PostgresPool: Sendable {
    let location: PostgresLocation
    private let configuration: PostgresConnection.Configuration
    private let idle = Mutex<[PostgresConnection]>([])
    private let ids = Atomic<Int>(0)
    /// Connections kept open between calls.
    static let keepIdle = 16
    static let logger = Logger(label: "InterestMiner.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    init(_ location: PostgresLocation) throws(StoreError) {
        self.location = location
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch location.tls {
            case .disable:
                tls = .disable
            case .prefer, .require:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .none
                let context = try NIOSSLContext(configuration: c)
                tls = location.tls == .prefer ? .prefer(context) : .require(context)
            case .verifyCA, .verifyFull:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = location.tls == .verifyFull ? .fullVerification : .noHostnameVerification
                if let file = location.rootCertificate { c.trustRoots = .file(file) }
                tls = .require(try NIOSSLContext(configuration: c))
            }
        } catch {
            throw .badURL(url: location.description, reason: "cannot set up TLS (sslmode \(location.tls.rawValue)): \(error)")
        }
        var config = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                      password: location.password, database: location.database, tls: tls)
        config.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        // Room for an ingest batch's staging table (~10 MB of COPY text) in the connection's
        // temporary buffers (8 MB by default: it spilled to files) and for its sorts.
        config.options.additionalStartupParameters = [("temp_buffers", "64MB"), ("work_mem", "64MB"),
                                                      ("application_name", location.applicationName)]
        if let schema = location.schema { config.options.additionalStartupParameters.append(("search_path", schema)) }
        configuration = config
    }

    deinit {
        for c in idle.withLock({ $0 }) { let closing: EventLoopFuture<Void> = c.close(); _ = try? closing.wait() }
    }

    /// Runs `body` on a connection of the pool.
    func withSession<T>(_ operation: String, _ body: (PostgresSession) throws -> T) throws(StoreError) -> T {
        let connection = try checkOut(operation)
        let session = PostgresSession(connection: connection)
        do {
            let result = try body(session)
            checkIn(connection)
            return result
        } catch {
            checkIn(connection)
            throw Self.map(error, operation, location)
        }
    }

    /// Runs `body` in one transaction (READ COMMITTED, PostgreSQL's default, for writes; a
    /// `REPEATABLE READ READ ONLY` snapshot for reads), committed when it returns and rolled
    /// back when it throws. A deadlock or serialization failure — two writers taking the same
    /// rows in different orders — is retried (up to `retries` times) after a short pause.
    func transaction<T>(_ operation: String, readOnly: Bool = false, retries: Int = 3, _ body: (PostgresSession) throws -> T) throws(StoreError) -> T {
        var attempt = 0
        while true {
            do {
                return try withSession(operation) { session in
                    try session.execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
                    do {
                        let result = try body(session)
                        try session.execute("COMMIT")
                        return result
                    } catch {
                        // A connection whose rollback failed may still be in a transaction: it is
                        // closed, never handed to the next caller.
                        if !session.connection.isClosed, (try? session.execute("ROLLBACK")) == nil {
                            let closing: EventLoopFuture<Void> = session.connection.close()
                            _ = try? closing.wait()
                        }
                        throw error
                    }
                }
            } catch .postgres(_, _, let state) where (state == "40P01" || state == "40001") && attempt < retries {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.005 * Double(attempt))
            }
        }
    }

    private func checkOut(_ operation: String) throws(StoreError) -> PostgresConnection {
        while let c = idle.withLock({ $0.popLast() }) {
            if !c.isClosed { return c }
        }
        return try connect(operation)
    }

    private func connect(_ operation: String) throws(StoreError) -> PostgresConnection {
        do {
            let id = ids.add(1, ordering: .relaxed).newValue
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                  id: id, logger: Self.logger).wait()
        } catch let e as PSQLError where e.code == .sslUnsupported {
            throw .badURL(url: location.description, reason: "the server does not offer TLS; use sslmode=prefer or sslmode=disable, or turn ssl on in the server's postgresql.conf")
        } catch let e as PSQLError where e.code == .server && !Self.isOutage(e.serverInfo?[.sqlState]) {
            // The server answered and refused: a wrong password, an unknown database or user.
            throw .postgres(operation: "connecting to \(location.description)", message: Self.describe(e), sqlState: e.serverInfo?[.sqlState])
        } catch {
            throw .unavailable(location: location.description, reason: Self.describe(error))
        }
    }

    /// A new connection outside the pool, for the caller to keep (a training run's lease, the
    /// model-version listener).
    func connectOwned(_ operation: String) throws(StoreError) -> PostgresConnection { try connect(operation) }

    private func checkIn(_ c: PostgresConnection) {
        guard !c.isClosed else { return }
        let kept = idle.withLock { list -> Bool in
            guard list.count < Self.keepIdle else { return false }
            list.append(c)
            return true
        }
        if !kept { let closing: EventLoopFuture<Void> = c.close(); closing.whenComplete { _ in } }
    }

    static func map(_ error: any Error, _ operation: String, _ location: PostgresLocation) -> StoreError {
        if let e = error as? StoreError { return e }
        if error is PostgresConnectionLost {
            return .unavailable(location: location.description, reason: "the connection closed and the statement was never answered (the server went away mid-statement)")
        }
        if let e = error as? PSQLError {
            switch e.code {
            case .server where isOutage(e.serverInfo?[.sqlState]):
                return .unavailable(location: location.description, reason: describe(e))
            case .server:
                return .postgres(operation: operation, message: describe(e), sqlState: e.serverInfo?[.sqlState])
            // `clientClosedConnection`: a query sent on a pooled connection that was closed when
            // the server went away (found in a PostgreSQL restart under load: a 500 before).
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                return .unavailable(location: location.description, reason: describe(e))
            default:
                return .postgres(operation: operation, message: describe(e), sqlState: nil)
            }
        }
        return .postgres(operation: operation, message: "\(error)", sqlState: nil)
    }

    /// SQLSTATEs of a server going away or not yet back — class 08 (connection exception) and
    /// 57P01–57P05 (shut down by an administrator or a crash, starting up, idle too long): the
    /// request can be retried once it is back, as when it cannot be reached at all.
    static func isOutage(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || state.hasPrefix("57P")
    }

    /// The server's message (with its detail and hint) or the client-side failure.
    static func describe(_ error: any Error) -> String {
        guard let e = error as? PSQLError else { return "\(error)" }
        if let info = e.serverInfo, let message = info[.message] {
            var text = message
            if let detail = info[.detail] { text += " (\(detail))" }
            if let hint = info[.hint] { text += "; \(hint)" }
            return text
        }
        if let underlying = e.underlying { return "\(e.code): \(underlying)" }
        return "\(e.code)"
    }
}
