import Dispatch
import Foundation
import InterestCore
import Synchronization

/// The two weight matrices of skip-gram, in raw memory shared by the training threads.
/// Threads update rows without locks (Hogwild: Recht et al. 2011, as word2vec and gensim do);
/// a lost update between two threads touching the same row at the same instant is harmless
/// noise for SGD. Nothing else shares this memory, and it is freed on deinit.
final class SharedMatrices: @unchecked Sendable {
    let input: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let size: Int

    init(rows: Int, dimension: Int, seed: UInt64) {
        size = rows * dimension
        input = .allocate(capacity: size)
        output = .allocate(capacity: size)
        output.initialize(repeating: 0, count: size)
        var rng = SeededRandom(seed: seed, stream: 0x5EED)
        let scale = 1 / Float(dimension)
        for i in 0..<size { input[i] = (rng.nextUnitFloat() - 0.5) * scale }
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }
}

/// The training loop of `SkipGramTrainer`.
struct SkipGramKernel: Sendable {
    let configuration: SkipGramConfiguration
    let corpus: TokenCorpus
    let counts: [Int]
    /// Per token: keep probability × 2³² (0 = never trained, UInt32.max = always kept).
    let keep: [UInt32]
    /// Negative-sampling table: token ids in proportion to count^0.75.
    let table: [Int32]
    /// σ(x) for x in [−6, 6), 1,000 steps.
    let sigmoid: [Float]

    static let maxExp: Float = 6
    static let sigmoidSteps = 1000

    init(configuration: SkipGramConfiguration, corpus: TokenCorpus, counts: [Int]) {
        self.configuration = configuration
        self.corpus = corpus
        self.counts = counts
        let total = Double(counts.reduce(0, +))
        let t = configuration.subsample * total
        keep = counts.map { c in
            guard c >= configuration.minCount && c > 0 else { return 0 }
            guard t > 0 else { return .max }
            let p = ((Double(c) / t).squareRoot() + 1) * t / Double(c)
            return p >= 1 ? .max : UInt32(p * 4_294_967_295)
        }
        let trainable = counts.indices.filter { counts[$0] >= configuration.minCount && counts[$0] > 0 }
        let size = max(1 << 20, min(1 << 24, trainable.count * 64))
        var table = [Int32](repeating: 0, count: size)
        let powered = trainable.map { pow(Double(counts[$0]), 0.75) }
        let sum = powered.reduce(0, +)
        var k = 0
        var cumulative = powered.first.map { $0 / sum } ?? 1
        for i in 0..<size {
            table[i] = Int32(trainable.isEmpty ? 0 : trainable[k])
            if Double(i) / Double(size) > cumulative && k < trainable.count - 1 {
                k += 1
                cumulative += powered[k] / sum
            }
        }
        self.table = table
        sigmoid = (0..<Self.sigmoidSteps).map { i in
            let x = (Float(i) / Float(Self.sigmoidSteps) * 2 - 1) * Self.maxExp
            return 1 / (1 + exp(-x))
        }
    }

    func run(progress: (@Sendable (Double) -> Void)?) -> TokenVectors {
        let d = configuration.dimension
        let shared = SharedMatrices(rows: corpus.vocabularySize, dimension: d, seed: configuration.seed)
        let processed = Atomic<Int>(0)
        let total = corpus.tokens.count * configuration.epochs
        let threads = max(1, min(configuration.threads, corpus.sentenceEnds.count))
        parallelPerform(iterations: threads) { t in
            worker(thread: t, of: threads, shared, processed, total, progress)
        }
        var vectors = [Float](repeating: 0, count: shared.size)
        for row in 0..<corpus.vocabularySize where keep[row] != 0 {
            for j in 0..<d { vectors[row * d + j] = shared.input[row * d + j] }
        }
        return TokenVectors(dimension: d, vectors: vectors, counts: counts)
    }

    private func worker(thread t: Int, of threads: Int, _ shared: SharedMatrices, _ processed: borrowing Atomic<Int>,
                        _ total: Int, _ progress: (@Sendable (Double) -> Void)?) {
        let d = configuration.dimension
        let window = configuration.window
        let negatives = configuration.negatives
        let startRate = configuration.learningRate
        let sentences = corpus.sentenceEnds.count
        let first = t * sentences / threads
        let last = (t + 1) * sentences / threads
        var rng = SeededRandom(seed: configuration.seed, stream: UInt64(t) + 1)
        let gradient = UnsafeMutablePointer<Float>.allocate(capacity: d)
        defer { gradient.deallocate() }
        let targets = UnsafeMutablePointer<Int32>.allocate(capacity: negatives + 1)
        defer { targets.deallocate() }
        var kept: [Int32] = []
        var sinceUpdate = 0
        var rate = startRate
        var lastReport = 0
        let input = shared.input
        let output = shared.output
        corpus.tokens.withUnsafeBufferPointer { tokens in
            keep.withUnsafeBufferPointer { keep in
                table.withUnsafeBufferPointer { table in
                    sigmoid.withUnsafeBufferPointer { sigmoid in
                        for _ in 0..<configuration.epochs {
                            for s in first..<last {
                                let start = s == 0 ? 0 : corpus.sentenceEnds[s - 1]
                                let end = corpus.sentenceEnds[s]
                                kept.removeAll(keepingCapacity: true)
                                for i in start..<end {
                                    let w = tokens[i]
                                    let threshold = keep[Int(w)]
                                    if threshold == 0 { continue }
                                    if threshold != .max && UInt32(truncatingIfNeeded: rng.next() >> 32) > threshold { continue }
                                    kept.append(w)
                                }
                                sinceUpdate += end - start
                                if sinceUpdate >= 10_000 {
                                    let done = processed.add(sinceUpdate, ordering: .relaxed).newValue
                                    sinceUpdate = 0
                                    rate = startRate * max(1 - Float(done) / Float(total + 1), 0.0001)
                                    if t == 0, let progress, done - lastReport > total / 100 {
                                        lastReport = done
                                        progress(Double(done) / Double(max(total, 1)))
                                    }
                                }
                                let n = kept.count
                                guard n > 1 else { continue }
                                for pos in 0..<n {
                                    let word = kept[pos]
                                    let reach = window - rng.next(below: window)
                                    let lo = max(0, pos - reach)
                                    let hi = min(n - 1, pos + reach)
                                    for c in lo...hi where c != pos {
                                        // The true word, then sampled negatives (the true word
                                        // itself is skipped when drawn, as in word2vec).
                                        targets[0] = word
                                        var count = 1
                                        for _ in 0..<negatives {
                                            let t = table[rng.next(below: table.count)]
                                            if t != word {
                                                targets[count] = t
                                                count += 1
                                            }
                                        }
                                        VectorMath.skipGramStep(context: input + Int(kept[c]) * d, output: output, targets: targets,
                                                                count: count, dimension: d, rate: rate, sigmoid: sigmoid.baseAddress ?? UnsafePointer(gradient),
                                                                steps: Self.sigmoidSteps, maxExp: Self.maxExp, scratch: gradient)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        processed.add(sinceUpdate, ordering: .relaxed)
    }
}
