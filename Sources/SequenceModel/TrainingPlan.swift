import Foundation
import InterestCore
import Synchronization

/// The training positions of a run: each user's history cut into windows of at most
/// maxLength + 1 items (the last one ending at the newest item, earlier ones overlapping by one
/// so every position is a target exactly once), minus the held-out last item of the validation
/// users. Windows are (offset, length) pairs into `SequenceData.items`: 16 bytes a window.
struct TrainingPlan: Sendable {
    struct Window: Sendable {
        var start: Int
        var count: Int
    }
    var windows: [Window] = []
    var targets = 0
    /// Users whose held-out item early stopping predicts, ascending: (user, item, how many of
    /// the user's items, from the first, form the history it is predicted from).
    var validation: [(user: Int, item: Int32, length: Int)] = []

    /// `heldOut`: the validation users and items, already absent from `data`; nil: a seeded
    /// sample of `settings.validationUsers` users with three items or more, their last item cut.
    init(_ data: SequenceData, settings: SequenceSettings, heldOut: [(user: Int, item: Int32)]?) {
        var cut = Set<Int>()
        if let heldOut {
            validation = heldOut.filter { $0.user >= 0 && $0.user < data.users && $0.item >= 0 && Int($0.item) < data.itemCount }
                .map { ($0.user, $0.item, data.offsets[$0.user + 1] - data.offsets[$0.user]) }.sorted { $0.user < $1.user }
        } else {
            var eligible = (0..<data.users).filter { data.offsets[$0 + 1] - data.offsets[$0] >= 3 }
            var random = SeededRandom(seed: settings.seed, stream: 0x7A11D)
            random.shuffle(&eligible)
            for u in eligible.prefix(settings.validationUsers).sorted() {
                let end = data.offsets[u + 1]
                validation.append((u, data.items[end - 1], end - 1 - data.offsets[u]))
                cut.insert(u)
            }
        }
        for u in 0..<data.users {
            var end = data.offsets[u + 1]
            if cut.contains(u) { end -= 1 }
            let first = data.offsets[u]
            while end - first >= 2 {
                let start = max(first, end - (settings.maxLength + 1))
                windows.append(Window(start: start, count: end - start))
                targets += end - start - 1
                end = start + 1
            }
        }
    }

    /// One epoch's mini-batches (window indices): a seeded shuffle, then windows of similar
    /// length grouped within runs of 16 batches (less padding), then the batches shuffled.
    func batches(_ size: Int, random: inout SeededRandom) -> [[Int]] {
        var order = Array(windows.indices)
        random.shuffle(&order)
        var out: [[Int]] = []
        var begin = 0
        let run = size * 16
        while begin < order.count {
            let part = order[begin..<min(begin + run, order.count)].sorted { (windows[$0].count, $0) < (windows[$1].count, $1) }
            var k = 0
            while k < part.count {
                out.append(Array(part[k..<min(k + size, part.count)]))
                k += size
            }
            begin += run
        }
        random.shuffle(&out)
        return out
    }
}

/// One optimisation step at a time: the two shards' forward and backward passes (in parallel
/// when threads allow; the sum is the same either way), the text projection's gradient, Adam.
struct StepRunner {
    let layout: ParameterLayout
    let settings: SequenceSettings
    let data: SequenceData
    let textDimension: Int
    let loss: SequenceLoss
    private let weights: FloatBuffer, firstMoment: FloatBuffer, secondMoment: FloatBuffer, table: FloatBuffer
    /// The moving average of the weights (when `settings.averageDecay` > 0).
    private let average: FloatBuffer?
    private let workspaces: [SequenceWorkspace]
    private let gradients: [FloatBuffer]
    private var steps = 0

    init(layout: ParameterLayout, settings: SequenceSettings, data: SequenceData, textDimension: Int, loss: SequenceLoss) {
        (self.layout, self.settings, self.data, self.textDimension, self.loss) = (layout, settings, data, textDimension, loss)
        let initial = FloatBuffer(layout.count)
        layout.initialParameters(seed: settings.seed).withUnsafeBufferPointer { initial.pointer.update(from: $0.baseAddress!, count: layout.count) }
        weights = initial
        if settings.averageDecay > 0 {
            let a = FloatBuffer(layout.count)
            a.pointer.update(from: initial.pointer, count: layout.count)
            average = a
        } else {
            average = nil
        }
        firstMoment = FloatBuffer(layout.count)
        secondMoment = FloatBuffer(layout.count)
        table = FloatBuffer(textDimension > 0 ? data.itemCount * layout.dimension : 1)
        workspaces = (0..<2).map { _ in SequenceWorkspace(layout: layout, heads: settings.heads) }
        gradients = (0..<2).map { _ in FloatBuffer(layout.count) }
    }

    /// The weights a model is made of: their moving average, or the last step's.
    var parameters: [Float] { Array(UnsafeBufferPointer(start: (average ?? weights).pointer, count: layout.count)) }

    /// Trains on one mini-batch; returns its mean loss and target count.
    mutating func run(_ batch: [TrainingPlan.Window]) -> (Double, Int) {
        steps += 1
        let shards = split(batch)
        let normaliser = Float(shards.reduce(0) { $0 + $1.targetCount })
        guard normaliser > 0 else { return (0, 0) }
        let d = layout.dimension, n = data.itemCount
        // E = ID + text·W_text, once per step (both shards read it); the ID part of a seeded
        // `idDropout` share of the items left out for this step.
        var dropped: [Int] = []
        if textDimension > 0, let text = data.text {
            table.pointer.update(from: weights.pointer + layout.item, count: n * d)
            if settings.idDropout > 0 {
                var random = SeededRandom(seed: settings.seed, stream: 0x1DD0 &+ UInt64(steps))
                for i in 0..<n where random.nextUnitFloat() < settings.idDropout {
                    dropped.append(i)
                    (table.pointer + i * d).update(repeating: 0, count: d)
                }
            }
            text.withUnsafeBufferPointer { t in
                gemm(false, false, n, d, textDimension, 1, t.baseAddress!, textDimension, weights.pointer + layout.textProjection, d, 1, table.pointer, d)
            }
            addBias(table.pointer, rows: n, columns: d, bias: weights.pointer + layout.textBias)
        }
        var negatives: SampledNegatives?
        if loss == .sampled {
            var random = SeededRandom(seed: settings.seed, stream: 0x4E6 &+ UInt64(steps))
            let k = min(settings.negatives, n)
            let indices = (0..<k).map { _ in Int32(random.next(below: n)) }
            let e = textDimension > 0 ? UnsafePointer(table.pointer) : UnsafePointer(weights.pointer + layout.item)
            var rows = [Float](repeating: 0, count: k * d)
            for (c, i) in indices.enumerated() { for j in 0..<d { rows[c * d + j] = e[Int(i) * d + j] } }
            negatives = SampledNegatives(indices: indices, rows: rows)
        }
        let losses = Mutex([Double](repeating: 0, count: 2))
        let (spaces, grads, current, composed, shape, dropout) = (workspaces, gradients, weights, table, layout, settings.dropout)
        let textAware = textDimension > 0, seed = settings.seed, step = UInt64(steps), sampled = negatives
        let work: @Sendable (Int) -> Void = { s in
            let g = grads[s]
            g.zero(shape.count)
            guard shards[s].count > 0 else { return }
            let e = textAware ? UnsafePointer(composed.pointer) : UnsafePointer(current.pointer + shape.item)
            var random = SeededRandom(seed: seed, stream: step &* 2 &+ UInt64(s) &+ 1)
            let w = spaces[s]
            w.forward(shards[s], parameters: current.pointer, items: e, dropout: dropout, random: &random)
            let l = w.outputLoss(items: e, itemCount: n, negatives: sampled, normaliser: normaliser, gradient: g.pointer)
            w.backward(parameters: current.pointer, gradient: g.pointer)
            losses.withLock { $0[s] = l }
        }
        if settings.threads >= 2 { parallelPerform(iterations: 2, work) } else { work(0); work(1) }
        let g = gradients[0].pointer
        VectorMath.axpy(1, gradients[1].pointer, g, layout.count)
        if textAware, let text = data.text { layout.addTextProjectionGradient(text: text, gradient: g) }
        // dL/dE reached W_text for every item; the left-out IDs took no part.
        for i in dropped { (g + layout.item + i * d).update(repeating: 0, count: d) }
        adam(g)
        let total = losses.withLock { $0[0] + $0[1] }
        return (total, Int(normaliser))
    }

    /// Adam with β = (0.9, 0.98) as SASRec trains, ε = 1e-8, bias-corrected.
    private func adam(_ g: UnsafeMutablePointer<Float>) {
        let (b1, b2): (Float, Float) = (0.9, 0.98)
        let t = Float(steps)
        let rate = settings.learningRate * (1 - powf(b2, t)).squareRoot() / (1 - powf(b1, t))
        let p = weights.pointer, m = firstMoment.pointer, v = secondMoment.pointer
        for k in 0..<layout.count {
            let gk = g[k]
            m[k] = b1 * m[k] + (1 - b1) * gk
            v[k] = b2 * v[k] + (1 - b2) * gk * gk
            p[k] -= rate * m[k] / (v[k].squareRoot() + 1e-8)
        }
        if let a = average?.pointer {
            let decay = min(settings.averageDecay, (1 + t) / (10 + t))
            for k in 0..<layout.count { a[k] = decay * a[k] + (1 - decay) * p[k] }
        }
    }

    /// The batch cut into two shards of about half its targets each (batch order kept), each
    /// right-aligned in the width of its longest window.
    private func split(_ windows: [TrainingPlan.Window]) -> [SequenceBatch] {
        let total = windows.reduce(0) { $0 + $1.count - 1 }
        var cut = windows.count, running = 0
        for (k, w) in windows.enumerated() {
            running += w.count - 1
            if 2 * running >= total {
                cut = k + 1
                break
            }
        }
        if cut == windows.count && windows.count > 1 { cut -= 1 }
        return [shard(windows[..<cut]), shard(windows[cut...])]
    }

    private func shard(_ windows: ArraySlice<TrainingPlan.Window>) -> SequenceBatch {
        let width = windows.map { $0.count - 1 }.max() ?? 0
        var tokens = [Int32](repeating: -1, count: windows.count * width)
        var targets = tokens
        for (b, w) in windows.enumerated() {
            let inputs = w.count - 1, pad = width - inputs
            for t in 0..<inputs {
                tokens[b * width + pad + t] = data.items[w.start + t]
                targets[b * width + pad + t] = data.items[w.start + t + 1]
            }
        }
        return SequenceBatch(count: windows.count, width: width, tokens: tokens, targets: targets)
    }
}

extension ParameterLayout {
    /// dL/dW_text = textᵀ·dL/dE and dL/db = Σ_i dL/dE_i, from the item rows of `gradient` (which
    /// hold dL/dE: E = ID + text·W_text + b).
    func addTextProjectionGradient(text: [Float], gradient g: UnsafeMutablePointer<Float>) {
        guard textDimension > 0 else { return }
        text.withUnsafeBufferPointer { t in
            gemm(true, false, textDimension, dimension, items, 1, t.baseAddress!, textDimension, g + item, dimension, 1, g + textProjection, dimension)
        }
        addColumnSums(g + item, rows: items, columns: dimension, into: g + textBias)
    }
}
