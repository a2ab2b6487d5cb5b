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
        /// Targets trained on over all epochs, and why training ended ("early stopping",
        /// "epochs" or "target budget").
        public var trainedTargets: Int
        public var stoppedBy: String
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
    /// `requireOrder`: skip (saying why) when fewer than half of the consecutive positive events
    /// of the same user have distinct times — histories without an order (amazon-all-beauty: 90%
    /// of them share a day) give a sequence model nothing true to learn, and what it learns from
    /// the stored order of ties misleads the fused ranker's validation.
    func trainSequence(_ settings: SequenceSettings, requireOrder: Bool, text: LoadedTextModel?, textTables: TableSet, heldOut: [Int32: Int32]?,
                       snapshot: TrainingSnapshot, build: GenerationBuild, skipped: inout String?,
                       progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> (TrainingReport.SequencePart, SequenceModel)? {
        let itemIDs = snapshot.itemIDs
        var offsets = [0]
        var items: [Int32] = []
        var timeline: [(Int64, Int32)] = []
        var user: Int32 = -1
        let seed = settings.seed
        var pairs = 0, ties = 0
        func flush() {
            guard user >= 0 else { return }
            // By time; events at the same time carry no order, so they are put in a seeded order
            // that means nothing rather than their stored one. (amazon-all-beauty's reviews share
            // a day: 904 of 976 users' last two training events tie. Trained in file order, the
            // model learnt that order — validation NDCG@10 0.87 on held-out last-by-file-order
            // items, 0.57 on the real test items — and the fused ranker trusted it.)
            let ordered = timeline.sorted { a, b in
                a.0 != b.0 ? a.0 < b.0 : Self.tieKey(user, a.1, seed) < Self.tieKey(user, b.1, seed)
            }
            let held = heldOut?[user]
            for e in ordered where e.1 != held { items.append(e.1) }
            for (a, b) in zip(ordered, ordered.dropFirst()) {
                pairs += 1
                if a.0 == b.0 { ties += 1 }
            }
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
            skipped = "no user has two positive events"
            progress("sequence: skipped — \(skipped!)")
            return nil
        }
        if requireOrder && 2 * ties > pairs {
            skipped = String(format: "%.0f%% of consecutive positive events share a time: the histories have no order to learn "
                             + "(`--sequence sasrec` trains one anyway)", 100 * Double(ties) / Double(max(1, pairs)))
            progress("sequence: skipped — \(skipped!)")
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
            textMatrix = textMatrix.map { VectorMath.unitRows($0, dimension: textDimension) }
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
                                            bestEpoch: report.bestEpoch, trainedTargets: report.trainedTargets, stoppedBy: report.stoppedBy, validationNDCG: best,
                                            medianEpochSeconds: sorted.isEmpty ? 0 : sorted[sorted.count / 2], seconds: report.seconds,
                                            parameters: report.parameters), model)
    }

    /// A seeded pseudo-random key for ordering one user's events of the same time (SplitMix64's
    /// finaliser over user, item and seed).
    static func tieKey(_ user: Int32, _ item: Int32, _ seed: UInt64) -> UInt64 {
        var x = (UInt64(UInt32(bitPattern: user)) << 32 | UInt64(UInt32(bitPattern: item))) ^ (seed &* 0x9E37_79B9_7F4A_7C15)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
}
