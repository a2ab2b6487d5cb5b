import Foundation
import InterestCore

/// Users' histories for training: user u's items (dense indices, oldest first) are
/// items[offsets[u]..<offsets[u + 1]] — one array for all users (4 bytes an event).
public struct SequenceData: Sendable {
    public var offsets: [Int]
    public var items: [Int32]
    public var itemCount: Int
    /// Unit text vectors of the items (itemCount × textDimension), when the shop has text.
    public var text: [Float]?
    public var textDimension: Int

    public init(offsets: [Int], items: [Int32], itemCount: Int, text: [Float]? = nil, textDimension: Int = 0) {
        self.offsets = offsets
        self.items = items
        self.itemCount = itemCount
        self.text = text
        self.textDimension = text == nil ? 0 : textDimension
    }

    public var users: Int { max(0, offsets.count - 1) }

    func history(_ u: Int) -> ArraySlice<Int32> { items[offsets[u]..<offsets[u + 1]] }

    /// Rejects data that does not fit its own shape (an item out of range, ragged offsets).
    func validate() throws(SequenceModelError) {
        guard itemCount > 0 else { throw .noSequences(reason: "the catalogue is empty") }
        guard offsets.first == 0, offsets.last == items.count, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw .invalidInput(reason: "user offsets do not partition the \(items.count) events")
        }
        guard items.allSatisfy({ $0 >= 0 && Int($0) < itemCount }) else {
            throw .invalidInput(reason: "an event names an item outside 0..<\(itemCount)")
        }
        if let text {
            guard textDimension > 0, text.count == itemCount * textDimension, text.allSatisfy(\.isFinite) else {
                throw .invalidInput(reason: "item text must be \(itemCount) × \(textDimension) finite values")
            }
        }
    }
}

/// How a training run went.
public struct SequenceTrainingReport: Sendable, Codable, Equatable {
    public var loss: String
    public var trainingSequences: Int
    public var targets: Int
    public var validationUsers: Int
    public var epochs: Int
    public var bestEpoch: Int
    /// Targets trained on over all epochs.
    public var trainedTargets: Int
    /// Why training ended: "early stopping", "epochs" (the most asked for) or "target budget".
    public var stoppedBy: String
    public var losses: [Double]
    public var validationNDCG: [Double]
    /// Wall time of each epoch's training steps (validation excluded).
    public var epochSeconds: [Double]
    public var seconds: Double
    public var parameters: Int
    public var textAware: Bool
}

/// Trains a `SequenceModel`: Adam (Kingma & Ba 2015) on mini-batches of history windows, every
/// position of every window predicting the next item, early stopping on the NDCG@10 of a seeded
/// sample of users whose last item is held out of training.
public enum SequenceTrainer {
    /// `heldOut`: validation users and their held-out items, already left out of `data` (the
    /// fused ranker's validation users, so the model it reads never saw their answers); nil:
    /// `settings.validationUsers` users sampled, their last item cut.
    public static func train(_ data: SequenceData, settings: SequenceSettings, heldOut: [(user: Int, item: Int32)]? = nil,
                             progress: @escaping @Sendable (String) -> Void = { _ in }) throws(SequenceModelError) -> (SequenceModel, SequenceTrainingReport) {
        try settings.validate()
        try data.validate()
        let clock = ContinuousClock()
        let began = clock.now
        let textDimension = settings.textAware ? data.textDimension : 0
        let layout = ParameterLayout(items: data.itemCount, dimension: settings.dimension, maxLength: settings.maxLength,
                                     blocks: settings.blocks, textDimension: textDimension)
        let plan = TrainingPlan(data, settings: settings, heldOut: heldOut)
        guard !plan.windows.isEmpty else {
            throw .noSequences(reason: "no user has two positive events in order (\(data.users) users, \(data.items.count) events)")
        }
        let loss = settings.effectiveLoss(items: data.itemCount, targets: plan.targets)
        if let why = blasUnavailable() {
            progress("sequence: OpenBLAS is not loaded (\(why)): matrix products run in a portable loop, tens of times slower; "
                     + "install it (Debian: apt-get install libopenblas0)")
        }
        progress("sequence: \(plan.windows.count) windows, \(plan.targets) targets, \(plan.validation.count) validation users, "
                 + "\(loss.rawValue) softmax over \(data.itemCount) items, \(layout.count) weights")
        var step = StepRunner(layout: layout, settings: settings, data: data, textDimension: textDimension, loss: loss)
        var best = step.parameters, bestScore = -1.0, bestEpoch = 0
        var report = SequenceTrainingReport(loss: loss.rawValue, trainingSequences: plan.windows.count, targets: plan.targets,
                                            validationUsers: plan.validation.count, epochs: 0, bestEpoch: 0, trainedTargets: 0, stoppedBy: "epochs", losses: [], validationNDCG: [],
                                            epochSeconds: [], seconds: 0, parameters: layout.count, textAware: textDimension > 0)
        var shuffler = SeededRandom(seed: settings.seed, stream: 0xB47C)
        // A plan within one epoch's targets trains on all of it each epoch; a larger one walks a
        // shuffled cycle of its batches, `epochTargets` at a time.
        let wholeEpochs = plan.targets <= settings.epochTargets
        var cycle: [[Int]] = [], next = 0
        for epoch in 1...settings.epochs {
            guard report.trainedTargets < settings.targetBudget else { report.stoppedBy = "target budget"; break }
            let start = clock.now
            var total = 0.0, taken = 0
            if wholeEpochs { (cycle, next) = (plan.batches(settings.batchSize, random: &shuffler), 0) }
            while wholeEpochs ? next < cycle.count : taken < settings.epochTargets {
                if next == cycle.count { (cycle, next) = (plan.batches(settings.batchSize, random: &shuffler), 0) }
                let (l, n) = step.run(cycle[next].map { plan.windows[$0] })
                next += 1
                total += l * Double(n)
                taken += n
            }
            report.trainedTargets += taken
            let mean = total / Double(max(1, taken))
            guard mean.isFinite else { throw .diverged(epoch: epoch) }
            report.epochSeconds.append((clock.now - start).seconds)
            report.losses.append(mean)
            report.epochs = epoch
            let model = try SequenceModel(settings: settings, items: data.itemCount, textDimension: textDimension, parameters: step.parameters)
            let score = plan.validation.isEmpty ? -Double(epoch) : validationNDCG(model, data: data, users: plan.validation)
            if !plan.validation.isEmpty { report.validationNDCG.append(score) }
            progress(String(format: "sequence: epoch %d loss %.4f%@ (%.1f s)", epoch, mean,
                            plan.validation.isEmpty ? "" : String(format: ", validation NDCG@10 %.4f", score), report.epochSeconds.last ?? 0))
            if score > bestScore || plan.validation.isEmpty {
                (best, bestScore, bestEpoch) = (step.parameters, score, epoch)
            } else if epoch - bestEpoch >= settings.patience {
                report.stoppedBy = "early stopping"
                break
            }
        }
        report.bestEpoch = bestEpoch
        report.seconds = (clock.now - began).seconds
        let model = try SequenceModel(settings: settings, items: data.itemCount, textDimension: textDimension, parameters: best)
        return (model, report)
    }

    /// Mean NDCG@10 of the validation users' held-out items (full ranking over the catalogue,
    /// the user's history excluded). O(users · (N²d + items·d)).
    static func validationNDCG(_ model: SequenceModel, data: SequenceData, users: [(user: Int, item: Int32, length: Int)]) -> Double {
        guard let table = try? model.itemTable(count: data.itemCount, text: model.textDimension > 0 ? data.text : nil) else { return 0 }
        let parts = parallelMap(users, threads: max(1, model.settings.threads), makeState: { () }) { _, v -> Double in
            let first = data.offsets[v.user]
            let prefix = Array(data.items[first..<(first + v.length)])
            guard let state = model.encode(prefix, table: table) else { return 0 }
            var scores = model.scores(state, table: table)
            for i in prefix { scores[Int(i)] = -.infinity }
            let mine = scores[Int(v.item)]
            var rank = 0
            for s in scores where s > mine { rank += 1 }
            return rank < 10 ? 1 / log2(Double(rank) + 2) : 0
        }
        return parts.reduce(0, +) / Double(max(1, parts.count))
    }
}
