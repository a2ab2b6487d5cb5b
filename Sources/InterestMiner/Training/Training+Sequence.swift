import Foundation
import InterestCore
import InterestStore
import SequenceModel

extension ModelKind {
    static let sequence = "sequence"
}

/// The `sequence` model kind's payload: the store's item row ids in the model's row order, the
/// text encoder version its text projection reads (0: none), and the model itself.
struct StoredSequenceModel: Sendable {
    static let magic = "IMSEQ1\n"
    let itemIDs: [Int64]
    let textVersion: Int
    let model: SequenceModel

    func encoded() -> [UInt8] {
        var w = BinaryWriter(magic: Self.magic)
        w.write(itemIDs.map { Int($0) })
        w.write(textVersion)
        w.write(bytes: model.encoded())
        return w.bytes
    }

    init(itemIDs: [Int64], textVersion: Int, model: SequenceModel) {
        (self.itemIDs, self.textVersion, self.model) = (itemIDs, textVersion, model)
    }

    init(encoded bytes: [UInt8], settings: SequenceSettings) throws(InterestMinerError) {
        do {
            var r = try BinaryReader(bytes, magic: Self.magic)
            itemIDs = try r.readInts("sequence item ids").map { Int64($0) }
            textVersion = try r.readInt("text version")
            model = try SequenceModel(encoded: try r.readBytes("sequence model"), settings: settings)
        } catch let e as SequenceModelError {
            throw .missing(what: e.description, hint: "re-run `interests train`")
        } catch {
            throw .missing(what: "the stored sequence model is unreadable (\(error))", hint: "re-run `interests train`")
        }
        guard itemIDs.count <= model.items else {
            throw .missing(what: "the stored sequence model names \(itemIDs.count) items but has \(model.items)", hint: "re-run `interests train`")
        }
    }
}

extension TrainingReport {
    public struct SequencePart: Sendable, Codable {
        public var version: Int
        public var loss: String
        public var textAware: Bool
        public var trainingSequences: Int
        public var targets: Int
        public var validationUsers: Int
        public var epochs: Int
        public var bestEpoch: Int
        /// Validation NDCG@10 of the kept (best) epoch.
        public var validationNDCG: Double?
        public var medianEpochSeconds: Double
        public var seconds: Double
        public var parameters: Int
    }
}

extension TrainingPipeline {
    /// Trains the sequence model on every user's positive events in time order (dense items in
    /// `snapshot.itemIDs` order; the text projection reads the item vectors of `textTables` when a
    /// text model exists) and stores it as model kind `sequence` in the build. `heldOut`: the fused
    /// ranker's validation users (dense user → dense item), whose held-out item is left out of
    /// their history and predicted for early stopping. Returns nil (and says why) when no user
    /// has two positive events. Memory: 4 bytes an event for the histories, O(items · d) for the
    /// model and its optimiser, the item text matrix (items × text dimension).
    func trainSequence(_ settings: SequenceSettings, text: LoadedTextModel?, textTables: TableSet, heldOut: [Int32: Int32]?,
                       snapshot: TrainingSnapshot, build: GenerationBuild,
                       progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> (TrainingReport.SequencePart, SequenceModel)? {
        let itemIDs = snapshot.itemIDs
        var offsets = [0]
        var items: [Int32] = []
        var timeline: [(Int64, Int32)] = []
        var user: Int32 = -1
        func flush() {
            guard user >= 0 else { return }
            // Stable by time: events of one second keep their stored order.
            let ordered = timeline.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
            let held = heldOut?[user]
            for (_, e) in ordered where e.1 != held { items.append(e.1) }
            offsets.append(items.count)
            timeline.removeAll(keepingCapacity: true)
        }
        snapshot.events.forEachEvent { u, i, time, rating, _ in
            if u != user {
                flush()
                // Users without events in between keep their (empty) place.
                while offsets.count < Int(u) + 1 { offsets.append(items.count) }
                user = u
            }
            if rating.map({ $0 >= 1 }) ?? true { timeline.append((time, i)) }
        }
        flush()
        guard items.count >= 2, zip(offsets, offsets.dropFirst()).contains(where: { $1 - $0 >= 2 }) else {
            progress("sequence: skipped — no user has two positive events in order")
            return nil
        }
        var textMatrix: [Float]?
        var textDimension = 0
        if settings.textAware, let text {
            textDimension = text.encoder.dimension
            let row = Dictionary(uniqueKeysWithValues: itemIDs.enumerated().map { ($0.element, $0.offset) })
            do { textMatrix = try store.itemVectorMatrix(rowOf: row, rows: itemIDs.count, dimension: textDimension, in: textTables) } catch {
                throw .store(error)
            }
            textMatrix = textMatrix.map { Self.unitRows($0, dimension: textDimension) }
        }
        let data = SequenceData(offsets: offsets, items: items, itemCount: itemIDs.count, text: textMatrix, textDimension: textDimension)
        let validation = heldOut.map { $0.map { (user: Int($0.key), item: $0.value) } }
        let (model, report): (SequenceModel, SequenceTrainingReport)
        do { (model, report) = try SequenceTrainer.train(data, settings: settings, heldOut: validation, progress: progress) } catch {
            throw .invalidArgument(name: "sequence", reason: error.description)
        }
        let stored = StoredSequenceModel(itemIDs: itemIDs, textVersion: model.textDimension > 0 ? (text?.version ?? 0) : 0, model: model)
        let version: Int
        do {
            let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
            version = try store.saveModel(kind: ModelKind.sequence, parameters: json, payload: stored.encoded(), generation: build.id)
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            throw .invalidArgument(name: "sequence", reason: "\(error)")
        }
        let best = report.bestEpoch > 0 && report.bestEpoch <= report.validationNDCG.count ? report.validationNDCG[report.bestEpoch - 1] : nil
        let sorted = report.epochSeconds.sorted()
        return (TrainingReport.SequencePart(version: version, loss: report.loss, textAware: report.textAware, trainingSequences: report.trainingSequences,
                                            targets: report.targets, validationUsers: report.validationUsers, epochs: report.epochs,
                                            bestEpoch: report.bestEpoch, validationNDCG: best,
                                            medianEpochSeconds: sorted.isEmpty ? 0 : sorted[sorted.count / 2], seconds: report.seconds,
                                            parameters: report.parameters), model)
    }

    /// Rows scaled to unit length (zero rows stay zero).
    static func unitRows(_ m: [Float], dimension d: Int) -> [Float] {
        var out = m
        out.withUnsafeMutableBufferPointer { p in
            guard let b = p.baseAddress, d > 0 else { return }
            for r in 0..<(p.count / d) { _ = VectorMath.normalize(b + r * d, d) }
        }
        return out
    }
}
