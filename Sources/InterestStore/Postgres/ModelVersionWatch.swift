import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The newest model versions of a PostgreSQL store, cached in the process and refreshed when any
/// process — another replica, a training worker on another machine — activates a generation or
/// saves a model: those commits `NOTIFY` the channel ``channel`` (payload: the schema), and this
/// watch `LISTEN`s on a connection of its own and drops the cache on each notification. So a
/// replica answers "which models are current" (every read asks it) without a query per request,
/// and picks up a new generation within the notification's delivery, without a restart.
///
/// Fallbacks: while the listening connection is not up (not started yet, the server restarting,
/// a network cut) nothing is cached — every call asks the server — and the watch reconnects every
/// second; a cached answer is also refreshed after ``maximumAge`` whatever happens. A fetch that
/// raced a notification is not cached (an epoch counter), so a stale answer never outlives the
/// notification that announced the change.
final class ModelVersionWatch: Sendable {
    static let channel = "interests_models"

    private struct State {
        var versions: [String: Int]?
        var fetchedAt = ContinuousClock.now
        /// Bumped by every notification and by every (re)connect of the listener.
        var epoch = 0
        var listening = false
        var task: Task<Void, Never>?
        var stopped = false
    }

    private let state = Mutex(State())
    /// Fetches from the server so far (tests check that cached calls make none).
    let fetches = Atomic<Int>(0)
    /// How long a cached answer is used at most, notifications or not.
    let maximumAge: Duration
    private let schema: String
    private let connect: @Sendable () async throws -> PostgresConnection

    init(schema: String?, maximumAge: Duration = .seconds(30), connect: @escaping @Sendable () async throws -> PostgresConnection) {
        self.schema = schema ?? ""
        self.maximumAge = maximumAge
        self.connect = connect
    }

    /// The payload this store's notifications carry (its schema; "" for the default one).
    var payload: String { schema }

    /// Whether the listening connection is up (tests wait for it).
    var isListening: Bool { state.withLock { $0.listening } }

    /// The cached versions, or `fetch`'s answer (cached when the listener is up and no
    /// notification came in meanwhile). Starts the listener on first use.
    func versions(_ fetch: () throws(StoreError) -> [String: Int]) throws(StoreError) -> [String: Int] {
        let (cached, epoch) = state.withLock { s -> ([String: Int]?, Int) in
            if s.task == nil && !s.stopped { s.task = startListening() }
            guard s.listening, let v = s.versions, ContinuousClock.now - s.fetchedAt < maximumAge else { return (nil, s.epoch) }
            return (v, s.epoch)
        }
        if let cached { return cached }
        fetches.add(1, ordering: .relaxed)
        let fresh = try fetch()
        state.withLock { s in
            guard s.listening, s.epoch == epoch else { return }
            s.versions = fresh
            s.fetchedAt = .now
        }
        return fresh
    }

    /// Forgets the cached answer (this process changed the models: its next call asks).
    func invalidate() {
        state.withLock { s in
            s.versions = nil
            s.epoch += 1
        }
    }

    func stop() {
        let task = state.withLock { s -> Task<Void, Never>? in
            s.stopped = true
            defer { s.task = nil }
            return s.task
        }
        task?.cancel()
    }

    /// The listener runs on the PostgreSQL executor (``PostgresBlocking``), not on Swift's
    /// cooperative pool: callers that block their thread (the store's methods are blocking) can
    /// fill that pool, and a starved listener would leave every call asking the server.
    private func startListening() -> Task<Void, Never> {
        Task.detached(executorPreference: PostgresBlocking.executor) { [self] in
            while !Task.isCancelled {
                do {
                    let connection = try await connect()
                    do {
                        try await connection.listen(on: Self.channel) { notifications in
                            setListening(true)
                            for try await note in notifications where note.payload == payload { invalidate() }
                        }
                    } catch {}
                    setListening(false)
                    try? await connection.close()
                } catch {
                    setListening(false)
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func setListening(_ on: Bool) {
        state.withLock { s in
            s.listening = on
            s.versions = nil
            s.epoch += 1
        }
    }
}
