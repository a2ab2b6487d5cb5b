import InterestCore

/// Where each weight of the sequence model sits in its one flat parameter vector (so Adam, the
/// gradient sum of the shards and the stored payload each treat the model as one array).
/// Matrices are row-major [in × out] and act as y = x·W.
struct ParameterLayout: Sendable, Equatable {
    /// One self-attention block's weights (offsets into the flat vector).
    struct Block: Sendable, Equatable {
        var ln1Gamma = 0, ln1Beta = 0
        /// [d × 3d]: query, key and value projections side by side; `qkvBias` [3d].
        var qkv = 0, qkvBias = 0
        var output = 0, outputBias = 0
        var ln2Gamma = 0, ln2Beta = 0
        var ffn1 = 0, ffn1Bias = 0, ffn2 = 0, ffn2Bias = 0
    }

    let items: Int
    let dimension: Int
    let maxLength: Int
    let textDimension: Int
    /// [items × d] learned ID embeddings.
    let item: Int
    /// [textDimension × d] and its bias [d] (absent when textDimension is 0): an item's text part
    /// is text·W + b, so an item known by its text alone gets the baseline every trained item's
    /// ID embedding carries, not a zero one.
    let textProjection: Int
    let textBias: Int
    /// [maxLength × d].
    let position: Int
    let blocks: [Block]
    let finalGamma: Int, finalBeta: Int
    let count: Int

    init(items: Int, dimension d: Int, maxLength: Int, blocks: Int, textDimension: Int) {
        self.items = items
        self.dimension = d
        self.maxLength = maxLength
        self.textDimension = textDimension
        var at = 0
        func take(_ n: Int) -> Int {
            defer { at += n }
            return at
        }
        item = take(items * d)
        textProjection = take(textDimension * d)
        textBias = take(textDimension > 0 ? d : 0)
        position = take(maxLength * d)
        var list: [Block] = []
        for _ in 0..<blocks {
            var b = Block()
            b.ln1Gamma = take(d); b.ln1Beta = take(d)
            b.qkv = take(d * 3 * d); b.qkvBias = take(3 * d)
            b.output = take(d * d); b.outputBias = take(d)
            b.ln2Gamma = take(d); b.ln2Beta = take(d)
            b.ffn1 = take(d * d); b.ffn1Bias = take(d)
            b.ffn2 = take(d * d); b.ffn2Bias = take(d)
            list.append(b)
        }
        self.blocks = list
        finalGamma = take(d)
        finalBeta = take(d)
        count = at
    }

    /// Initial weights: ID and position embeddings N(0, 1/d), matrices Glorot-uniform (Glorot &
    /// Bengio 2010), LayerNorm gains 1, biases 0.
    func initialParameters(seed: UInt64) -> [Float] {
        var p = [Float](repeating: 0, count: count)
        var rng = SeededRandom(seed: seed, stream: 0x5E9)
        let d = dimension
        let embeddingScale = Float(1 / Double(d).squareRoot())
        for k in item..<(item + items * d) { p[k] = Float(rng.nextGaussian()) * embeddingScale }
        for k in position..<(position + maxLength * d) { p[k] = Float(rng.nextGaussian()) * embeddingScale }
        func glorot(_ at: Int, _ rows: Int, _ cols: Int) {
            let limit = (6 / Double(rows + cols)).squareRoot()
            for k in at..<(at + rows * cols) { p[k] = Float((rng.nextUnit() * 2 - 1) * limit) }
        }
        if textDimension > 0 { glorot(textProjection, textDimension, d) }
        for b in blocks {
            for k in 0..<d { p[b.ln1Gamma + k] = 1; p[b.ln2Gamma + k] = 1 }
            // Each of q, k, v is its own d × d matrix.
            for part in 0..<3 {
                let limit = (6 / Double(2 * d)).squareRoot()
                for r in 0..<d { for c in 0..<d { p[b.qkv + r * 3 * d + part * d + c] = Float((rng.nextUnit() * 2 - 1) * limit) } }
            }
            glorot(b.output, d, d)
            glorot(b.ffn1, d, d)
            glorot(b.ffn2, d, d)
        }
        for k in 0..<d { p[finalGamma + k] = 1 }
        return p
    }
}
