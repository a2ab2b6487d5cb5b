import CollaborativeFiltering
import Foundation
import InterestStore

extension TrainingReport {
    /// Item neighbours by co-occurrence (`ItemNeighbours`), used by interest terms.
    public struct NeighboursPart: Sendable, Codable {
        /// Items with at least one neighbour.
        public var items: Int
        public var pairs: Int
        public var seconds: Double
    }
}

extension TrainingPipeline {
    /// Finds every item's neighbours — the items the same users touched (reviews and
    /// interactions alike) — and replaces the stored ones.
    func trainItemNeighbours(_ settings: ItemNeighbours.Settings, threads: Int, snapshot: TrainingSnapshot,
                             build: GenerationBuild) throws(InterestMinerError) -> TrainingReport.NeighboursPart {
        let clock = ContinuousClock()
        let start = clock.now
        let kernel: ItemNeighbours
        do { kernel = try ItemNeighbours(settings) } catch { throw .invalidArgument(name: "item neighbours", reason: error.description) }
        let (items, data) = (snapshot.itemIDs, snapshot.data)
        // Built straight from the event table in two passes (no triplet array of every event).
        let matrix = SparseMatrix(rows: data.userIDs.count, columns: items.count) { emit in
            data.events.forEachEvent { u, i, _, _, _ in emit(u, i, 1) }
        }
        let found = kernel.neighbours(matrix, threads: threads)
        var stored: [ItemNeighbourRow] = []
        for (i, list) in found.enumerated() {
            for n in list {
                stored.append(ItemNeighbourRow(item: items[i], neighbour: items[Int(n.item)], score: Double(n.score), users: Int(n.users)))
            }
        }
        do { try store.writeItemNeighbours(stored, build: build) } catch { throw .store(error) }
        return .init(items: found.filter { !$0.isEmpty }.count, pairs: stored.count, seconds: (clock.now - start).seconds)
    }
}
