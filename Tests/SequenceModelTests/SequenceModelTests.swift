import Foundation
import InterestCore
import Testing
@testable import SequenceModel

@Suite struct SequenceModelTests {
    /// y of every row (padding rows included), the mean loss and the last-column scores equal
    /// the PyTorch peer's float64 forward pass of the same weights.
    @Test func forwardPassMatchesThePyTorchPeer() throws {
        let f = try TorchFixture.load()
        let y = try forwardOutput(layout: f.layout, heads: f.settings.heads, parameters: f.parameters, text: f.text, batch: f.batch)
        #expect(y.count == f.output.count)
        for (a, b) in zip(y, f.output) { #expect(abs(Double(a) - b) < 2e-4, "y \(a) vs \(b)") }
        let (loss, _) = try lossAndGradient(layout: f.layout, heads: f.settings.heads, parameters: f.parameters, text: f.text, batch: f.batch)
        #expect(abs(loss - f.loss) < 1e-4)
        // Serving's one-history path: each sequence alone, scores of every item at its last column.
        let model = try SequenceModel(settings: f.settings, items: f.layout.items, textDimension: f.layout.textDimension, parameters: f.parameters)
        let table = try model.itemTable(count: f.layout.items, text: f.text)
        for b in 0..<f.batch.count {
            let history = f.batch.tokens[(b * f.batch.width)..<((b + 1) * f.batch.width)].filter { $0 >= 0 }
            let state = try #require(model.encode(Array(history), table: table))
            let scores = model.scores(state, table: table)
            for i in 0..<f.layout.items {
                let expected = f.lastScores[b * f.layout.items + i]
                #expect(abs(Double(scores[i]) - expected) < 1e-3 * max(1, abs(expected)), "sequence \(b) item \(i)")
            }
        }
    }

    /// Every weight's gradient equals PyTorch autograd's (float64) for the fixture batch.
    @Test func gradientsMatchThePyTorchPeer() throws {
        let f = try TorchFixture.load()
        let (_, g) = try lossAndGradient(layout: f.layout, heads: f.settings.heads, parameters: f.parameters, text: f.text, batch: f.batch)
        var worst = 0.0
        let bias = f.layout.textBias..<(f.layout.textBias + f.layout.dimension)
        for (k, (a, b)) in zip(g, f.gradients).enumerated() where !bias.contains(k) {
            #expect(!b.isNaN)
            worst = max(worst, abs(Double(a) - b) / (1e-3 + abs(b)))
        }
        #expect(worst < 2e-2, "worst relative gradient error \(worst)")
    }

    /// A random tiny model, text-aware, with padding: central differences of the loss against
    /// the analytic gradient for weights of every layer, full and sampled softmax.
    @Test(arguments: [false, true]) func gradientsMatchFiniteDifferences(sampled: Bool) throws {
        let (n, d, m, maxLength) = (9, 6, 3, 5)
        let layout = ParameterLayout(items: n, dimension: d, maxLength: maxLength, blocks: 2, textDimension: m)
        var random = SeededRandom(seed: 42)
        let parameters = layout.initialParameters(seed: 3).map { $0 + Float(random.nextGaussian() * 0.3) }
        let text = (0..<(n * m)).map { _ in Float(random.nextGaussian()) }
        let batch = SequenceBatch(count: 2, width: 4, tokens: [0, 5, 2, 7, -1, -1, 3, 8], targets: [5, 2, 7, 1, -1, -1, 8, 4])
        let negatives: [Int32]? = sampled ? [1, 6, 4, 0, 2] : nil
        let (_, g) = try lossAndGradient(layout: layout, heads: 2, parameters: parameters, text: text, batch: batch, negatives: negatives)
        let block = layout.blocks[0], last = layout.blocks[1]
        var probes = [layout.item + 5 * d + 1, layout.item + 4 * d + 2, layout.textProjection + 4, layout.textBias + 3, layout.position + (maxLength - 1) * d + 3,
                      layout.position + (maxLength - 2) * d, layout.finalGamma + 2, layout.finalBeta + 5]
        for w in [block, last] {
            probes += [w.ln1Gamma + 1, w.ln1Beta + 3, w.qkv + 7, w.qkv + 2 * d + 4, w.qkv + 3 * d + 2 * d + 1, w.qkvBias + d + 2,
                       w.qkvBias + 2 * d + 3, w.output + 9, w.outputBias + 1, w.ln2Gamma + 4, w.ln2Beta, w.ffn1 + 11, w.ffn1Bias + 2,
                       w.ffn2 + 17, w.ffn2Bias + 5]
        }
        for k in probes {
            let h: Float = 1e-2
            var plus = parameters, minus = parameters
            plus[k] += h
            minus[k] -= h
            let up = try lossAndGradient(layout: layout, heads: 2, parameters: plus, text: text, batch: batch, negatives: negatives).loss
            let down = try lossAndGradient(layout: layout, heads: 2, parameters: minus, text: text, batch: batch, negatives: negatives).loss
            let numeric = (up - down) / Double(2 * h)
            #expect(abs(numeric - Double(g[k])) < 2e-3 + 2e-2 * abs(numeric), "weight \(k): numeric \(numeric), analytic \(g[k])")
        }
    }

    /// A later item never changes an earlier position's output.
    @Test func attentionIsCausal() throws {
        let layout = ParameterLayout(items: 12, dimension: 8, maxLength: 6, blocks: 2, textDimension: 0)
        let parameters = layout.initialParameters(seed: 5)
        let a = SequenceBatch(count: 1, width: 5, tokens: [3, 1, 4, 1, 5], targets: [Int32](repeating: -1, count: 5))
        var b = a
        b.tokens[4] = 9
        b.tokens[3] = 2
        let ya = try forwardOutput(layout: layout, heads: 2, parameters: parameters, text: nil, batch: a)
        let yb = try forwardOutput(layout: layout, heads: 2, parameters: parameters, text: nil, batch: b)
        #expect(Array(ya[0..<(3 * 8)]) == Array(yb[0..<(3 * 8)]))
        #expect(Array(ya[(3 * 8)...]) != Array(yb[(3 * 8)...]))
    }

    /// Histories where item i is always followed by i + 1 (mod n): the model learns the rule.
    static func chains(users: Int, items: Int, length: Int, seed: UInt64) -> SequenceData {
        var random = SeededRandom(seed: seed)
        var offsets = [0], list: [Int32] = []
        for _ in 0..<users {
            let start = random.next(below: items)
            for k in 0..<length { list.append(Int32((start + k) % items)) }
            offsets.append(list.count)
        }
        return SequenceData(offsets: offsets, items: list, itemCount: items)
    }

    static func small() -> SequenceSettings {
        var s = SequenceSettings()
        s.dimension = 16
        s.heads = 2
        s.maxLength = 8
        s.dropout = 0.1
        s.epochs = 12
        s.batchSize = 32
        s.learningRate = 0.01
        s.validationUsers = 50
        s.patience = 50
        return s
    }

    @Test func learnsAKnownNextItemRule() throws {
        let data = Self.chains(users: 300, items: 20, length: 7, seed: 1)
        let (model, report) = try SequenceTrainer.train(data, settings: Self.small())
        #expect(report.validationUsers == 50)
        #expect(report.losses.last! < report.losses.first!)
        #expect(report.validationNDCG.max()! > 0.9, "\(report.validationNDCG)")
        let table = try model.itemTable(count: 20, text: nil)
        let state = try #require(model.encode([4, 5, 6], table: table))
        var scores = model.scores(state, table: table)
        for seen in [4, 5, 6] { scores[seen] = -.infinity }
        #expect(TopK.best(1, of: scores).first?.id == 7)
    }

    /// One thread and two give the same weights (the two shards are summed in order either way);
    /// another seed gives others.
    @Test func trainingIsDeterministicWhateverTheThreads() throws {
        let data = Self.chains(users: 120, items: 15, length: 6, seed: 2)
        var settings = Self.small()
        settings.epochs = 2
        settings.threads = 1
        let (one, r1) = try SequenceTrainer.train(data, settings: settings)
        settings.threads = 2
        let (two, r2) = try SequenceTrainer.train(data, settings: settings)
        #expect(one.parameters == two.parameters)
        #expect(r1.losses == r2.losses)
        settings.seed = 9
        let (other, _) = try SequenceTrainer.train(data, settings: settings)
        #expect(other.parameters != one.parameters)
    }

    /// The kept weights are the moving average: after one step, a = d·w₀ + (1 − d)·w₁ with the
    /// warmed-up decay d = min(decay, 2/11).
    @Test func keptWeightsAreTheMovingAverage() throws {
        let data = Self.chains(users: 20, items: 10, length: 4, seed: 4)
        var settings = Self.small()
        (settings.epochs, settings.batchSize, settings.validationUsers) = (1, 64, 0)
        settings.averageDecay = 0
        let (last, _) = try SequenceTrainer.train(data, settings: settings)
        settings.averageDecay = 0.9
        let (averaged, _) = try SequenceTrainer.train(data, settings: settings)
        let layout = ParameterLayout(items: 10, dimension: settings.dimension, maxLength: settings.maxLength, blocks: settings.blocks, textDimension: 0)
        let initial = layout.initialParameters(seed: settings.seed)
        let d: Float = 2.0 / 11.0
        #expect(last.parameters != initial)
        for k in stride(from: 0, to: initial.count, by: 97) {
            #expect(abs(averaged.parameters[k] - (d * initial[k] + (1 - d) * last.parameters[k])) < 1e-6)
        }
    }

    @Test func sampledSoftmaxTrainsToo() throws {
        var settings = Self.small()
        settings.loss = .sampled
        settings.negatives = 8
        let (_, report) = try SequenceTrainer.train(Self.chains(users: 300, items: 20, length: 7, seed: 3), settings: settings)
        #expect(report.loss == "sampled")
        #expect(report.validationNDCG.max()! > 0.8, "\(report.validationNDCG)")
    }

    /// A plan larger than `epochTargets` trains each epoch on the next slice of its shuffled
    /// windows and stops at the target budget; a smaller one trains on every target each epoch.
    @Test func largePlansTrainInSlicesWithinTheBudget() throws {
        let data = Self.chains(users: 300, items: 20, length: 7, seed: 1)
        var settings = Self.small()
        let (_, whole) = try SequenceTrainer.train(data, settings: settings)
        #expect(whole.stoppedBy == "epochs")
        #expect(whole.trainedTargets == whole.epochs * whole.targets)
        #expect(whole.targets == 250 * 6 + 50 * 5)  // 6 targets a history, 5 where validation cut the last item
        (settings.epochTargets, settings.targetBudget, settings.epochs) = (500, 1_600, 100)
        let (_, sliced) = try SequenceTrainer.train(data, settings: settings)
        let batchTargets = settings.batchSize * 6  // the most one mini-batch adds past the slice
        #expect(sliced.stoppedBy == "target budget")
        #expect(sliced.trainedTargets >= 1_600 && sliced.trainedTargets < 1_600 + 500 + batchTargets)
        #expect(sliced.trainedTargets >= sliced.epochs * 500 && sliced.trainedTargets < sliced.epochs * (500 + batchTargets),
                "\(sliced.trainedTargets) targets in \(sliced.epochs) epochs")
        #expect(sliced.validationNDCG.count == sliced.epochs)
        #expect(sliced.validationNDCG.max()! > 0.5, "\(sliced.validationNDCG)")
    }

    /// Items of K categories (one-hot text); a history in category c is followed by an item of
    /// category c + 1. Items never seen in training get their category's place from their text
    /// alone in the text-aware model.
    @Test func textAwareModelPlacesItemsItNeverSaw() throws {
        let (categories, perCategory) = (5, 6)
        let n = categories * perCategory
        var text = [Float](repeating: 0, count: n * categories)
        for i in 0..<n { text[i * categories + i % categories] = 1 }
        let cold = Set((0..<categories).map { Int32($0) })  // item c (< categories) of each category never trained on
        var random = SeededRandom(seed: 4)
        var offsets = [0], list: [Int32] = []
        for _ in 0..<400 {
            var c = random.next(below: categories)
            for _ in 0..<6 {
                var item: Int32
                repeat { item = Int32(c + categories * random.next(below: perCategory)) } while cold.contains(item)
                list.append(item)
                c = (c + 1) % categories
            }
            offsets.append(list.count)
        }
        var settings = Self.small()
        settings.epochs = 15
        let data = SequenceData(offsets: offsets, items: list, itemCount: n, text: text, textDimension: categories)
        let (model, report) = try SequenceTrainer.train(data, settings: settings)
        #expect(report.textAware)
        let table = try model.itemTable(count: n, text: text)
        // History ending in category 2: the cold item of category 3 beats the other cold items.
        let state = try #require(model.encode([5, 6, 7], table: table))
        let scores = model.scores(state, table: table)
        let best = cold.max { scores[Int($0)] < scores[Int($1)] }
        #expect(best == 3, "cold scores \(cold.sorted().map { scores[Int($0)] })")
    }

    @Test func savedModelLoadsIdentically() throws {
        let (model, _) = try SequenceTrainer.train(Self.chains(users: 60, items: 10, length: 5, seed: 5), settings: {
            var s = Self.small()
            s.epochs = 1
            return s
        }())
        let bytes = model.encoded()
        let loaded = try SequenceModel(encoded: bytes)
        #expect(loaded.parameters == model.parameters)
        #expect(loaded.items == model.items && loaded.settings.dimension == model.settings.dimension)
        // Damaged payloads are errors, not crashes.
        #expect(throws: SequenceModelError.self) { try SequenceModel(encoded: Array(bytes.dropLast(5))) }
        #expect(throws: SequenceModelError.self) { try SequenceModel(encoded: Array(bytes.prefix(30))) }
        var huge = bytes
        huge[4 + 8 * 4] = 0xFF  // the items field's low byte → more items than the payload holds
        huge[4 + 8 * 4 + 6] = 0x7F
        #expect(throws: SequenceModelError.self) { try SequenceModel(encoded: huge) }
        #expect(throws: SequenceModelError.self) { try SequenceModel(encoded: [1, 2, 3]) }
    }

    @Test func badSettingsAndDataAreRejectedClearly() throws {
        let data = Self.chains(users: 10, items: 5, length: 4, seed: 6)
        func rejects(_ name: String, _ change: (inout SequenceSettings) -> Void) {
            var s = Self.small()
            change(&s)
            do {
                _ = try SequenceTrainer.train(data, settings: s)
                Issue.record("\(name) accepted")
            } catch {
                guard case .invalidSetting(let n, _) = error else { Issue.record("\(error)"); return }
                #expect(n == name)
                #expect(error.description.hasPrefix("--\(name) "))
            }
        }
        rejects("sequence-heads") { $0.heads = 3 }
        rejects("sequence-dropout") { $0.dropout = 1 }
        rejects("sequence-length") { $0.maxLength = 0 }
        rejects("sequence-learning-rate") { $0.learningRate = .nan }
        rejects("sequence-batch") { $0.batchSize = 1 }
        rejects("sequence-epoch-targets") { $0.epochTargets = 0 }
        rejects("sequence-average-decay") { $0.averageDecay = 1 }
        rejects("sequence-target-budget") { $0.targetBudget = -1 }
        #expect(throws: SequenceModelError.invalidInput(reason: "an event names an item outside 0..<5")) {
            try SequenceTrainer.train(SequenceData(offsets: [0, 2], items: [1, 7], itemCount: 5), settings: Self.small())
        }
        #expect(throws: SequenceModelError.self) {
            try SequenceTrainer.train(SequenceData(offsets: [0, 1, 2], items: [1, 2], itemCount: 5), settings: Self.small())
        }
    }
}
