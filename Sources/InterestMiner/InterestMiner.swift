import Dispatch
import Foundation
import Synchronization
import InterestCore
import InterestStore

/// The façade: the one place commands and the HTTP service call, over one database. Like
/// Gorse's server / worker / master, the work is split by role, each a type of its own over the
/// same store:
///
/// - ``Ingestion`` writes: events in (`ingest`), users out (`forget`);
/// - ``TrainingPipeline`` builds a model generation stage by stage and activates it (`train`);
/// - ``Serving`` holds the loaded models (one `ModelCache`, loads off the request path) and
///   answers reads: recommendations, `rank`, `terms`, `similar`, batch `recommend`;
/// - ``Evaluation`` runs the leave-last-out protocol on a copy (`evaluate`).
///
/// The façade owns one of each and forwards to them; no SQLite or HTTP type appears in its API.
public final class InterestMiner: Sendable {
    /// The event log: the SQLite file, or a shared PostgreSQL database (`postgres://…`).
    let events: any EventStore
    let ingestion: Ingestion
    /// The serving and training roles, over either backend (every model and read on both).
    let serving: Serving
    let training: TrainingPipeline

    /// The SQLite store (integrity check, evaluation): on PostgreSQL, a clear error.
    var store: InterestStore { get throws(InterestMinerError) { try serving.local() } }

    /// From this many catalogue items on, the service's fused read takes its first stage from a
    /// candidate index instead of scanning every item (see `Serving.candidateCatalogueSize`).
    public var candidateCatalogueSize: Int? {
        get { serving.candidateCatalogueSize }
        set { serving.candidateCatalogueSize = newValue }
    }

    /// Whether the fused ranker keeps every item's daily activity in memory (see
    /// `Serving.itemActivityInMemory`).
    public var itemActivityInMemory: Bool {
        get { serving.itemActivityInMemory }
        set { serving.itemActivityInMemory = newValue }
    }

    /// The database this miner works on: a file path, or a `postgres://` URL without its password.
    public var databasePath: String { events.locationDescription }

    /// Whether the events live on a PostgreSQL server (else in an SQLite file).
    public var onPostgres: Bool { !(events is InterestStore) }

    /// Opens (or creates) the database at `databasePath`: an SQLite file, or — for a
    /// `postgres://` URL — a PostgreSQL database (see `PostgresLocation`). `readOnly`: for a
    /// caller that only reads (e.g. `interests terms`), an existing, current SQLite database is
    /// opened without writing to it (see `InterestStore.init(path:readOnly:)`); anything that
    /// writes then fails.
    public init(databasePath: String, readOnly: Bool = false) throws(InterestMinerError) {
        do {
            let store: any ModelStore = PostgresLocation.isURL(databasePath)
                ? try PostgresStore(url: databasePath) : try InterestStore(path: databasePath, readOnly: readOnly)
            let serving = Serving(store: store)
            events = store
            self.serving = serving
            training = TrainingPipeline(store: store, serving: serving)
            // Ingest encodes texts with the active text model (both backends store it).
            ingestion = Ingestion(store: store, serving: serving)
        } catch {
            throw .store(error)
        }
    }

    /// Counts per event type, users, items, time range and file size.
    public func stats() throws(InterestMinerError) -> DatabaseStats {
        do { return try events.stats() } catch { throw .store(error) }
    }

    /// `PRAGMA integrity_check` ("ok" when sound).
    public func integrityCheck() throws(InterestMinerError) -> String {
        let store = try store
        do { return try store.integrityCheck() } catch { throw .store(error) }
    }
}

extension InterestMiner {
    /// A user's events, oldest first, or nil when the user is unknown.
    public func history(ofUser user: String) throws(InterestMinerError) -> [Event]? {
        do { return try events.history(ofUser: user) } catch { throw .store(error) }
    }

    /// An item's stored record, or nil when the item is unknown.
    public func item(_ item: String) throws(InterestMinerError) -> ItemRecord? {
        do { return try events.itemRecord(item) } catch { throw .store(error) }
    }
}

extension InterestMiner {
    /// Deletes a database file and its WAL and shared-memory files, if present.
    public static func removeDatabase(at path: String) throws(InterestMinerError) {
        for p in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: p) {
            do {
                try FileManager.default.removeItem(atPath: p)
            } catch {
                throw .unwritableOutput(path: p, reason: error.localizedDescription)
            }
        }
    }
}
