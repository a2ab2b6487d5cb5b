import Foundation
import InterestCore

/// Sequences of one shard of a mini-batch, right-aligned in `width` columns (the most recent item
/// last), left-padded with −1; `targets` holds each column's next item (−1: none).
struct SequenceBatch: Sendable {
    var count: Int
    var width: Int
    var tokens: [Int32]
    var targets: [Int32]

    var rows: Int { count * width }
    var targetCount: Int { targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
}

/// The activations of one forward pass over a `SequenceBatch`, kept for the backward pass, and
/// the scratch both need: one per thread, reused across steps (it grows to the largest batch).
///
/// The model (Kang & McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018, with
/// pre-LayerNorm blocks as in Xiong et al. 2020): x = E[s_t] + P[N − T + t]; per block
/// x += Attention(LN₁(x)), x += FFN(LN₂(x)) with causal multi-head attention (Vaswani et al. 2017)
/// and a ReLU feed-forward; y = LN_f(x). Padding columns are zero and never attended to.
final class SequenceWorkspace: @unchecked Sendable {
    let layout: ParameterLayout
    let heads: Int
    let epsilon: Float = 1e-5
    /// Per block: its input, LayerNorm caches, projections, attention weights, dropout masks.
    var blockInput: [FloatBuffer]
    var xhat1: [FloatBuffer], rstd1: [FloatBuffer], h1: [FloatBuffer], qkv: [FloatBuffer], probs: [FloatBuffer], attended: [FloatBuffer]
    var mask1: [FloatBuffer], middle: [FloatBuffer], xhat2: [FloatBuffer], rstd2: [FloatBuffer], h2: [FloatBuffer], activation: [FloatBuffer]
    var mask2: [FloatBuffer]
    let mask0 = FloatBuffer(1), xhatF = FloatBuffer(1), rstdF = FloatBuffer(1), output = FloatBuffer(1)
    /// Backward and output-layer scratch.
    let gradX = FloatBuffer(1), temp1 = FloatBuffer(1), temp2 = FloatBuffer(1), gradQKV = FloatBuffer(1), gradY = FloatBuffer(1)
    let gathered = FloatBuffer(1), logits = FloatBuffer(1), gatheredGrad = FloatBuffer(1)
    /// The shape of the last forward pass and whether it used dropout.
    private(set) var batch = SequenceBatch(count: 0, width: 0, tokens: [], targets: [])
    private(set) var dropout: Float = 0

    init(layout: ParameterLayout, heads: Int) {
        self.layout = layout
        self.heads = heads
        let n = layout.blocks.count
        func make(_ k: Int) -> [FloatBuffer] { (0..<k).map { _ in FloatBuffer(1) } }
        blockInput = make(n + 1)
        (xhat1, rstd1, h1, qkv, probs, attended) = (make(n), make(n), make(n), make(n), make(n), make(n))
        (mask1, middle, xhat2, rstd2, h2, activation, mask2) = (make(n), make(n), make(n), make(n), make(n), make(n), make(n))
    }

    private func reserve(rows: Int, count: Int, width: Int) {
        let d = layout.dimension
        let rd = rows * d
        for b in blockInput { b.reserve(rd) }
        for l in 0..<layout.blocks.count {
            for buffer in [xhat1[l], h1[l], attended[l], mask1[l], middle[l], xhat2[l], h2[l], activation[l], mask2[l]] { buffer.reserve(rd) }
            rstd1[l].reserve(rows)
            rstd2[l].reserve(rows)
            qkv[l].reserve(3 * rd)
            probs[l].reserve(count * heads * width * width)
        }
        for buffer in [mask0, xhatF, output, gradX, temp1, temp2, gradY] { buffer.reserve(rd) }
        rstdF.reserve(rows)
        gradQKV.reserve(3 * rd)
    }

    /// The forward pass: `items` is the composed item table E (items × d); dropout masks are drawn
    /// from `random` when `dropout` > 0. Leaves y = LN_f(x) in `output`.
    func forward(_ input: SequenceBatch, parameters p: UnsafePointer<Float>, items e: UnsafePointer<Float>, dropout: Float,
                 random: inout SeededRandom) {
        batch = input
        self.dropout = dropout
        let d = layout.dimension, rows = input.rows, width = input.width
        reserve(rows: rows, count: input.count, width: width)
        let x = blockInput[0].pointer
        let first = layout.maxLength - width
        for r in 0..<rows {
            let row = x + r * d
            let s = Int(input.tokens[r])
            guard s >= 0 else {
                row.update(repeating: 0, count: d)
                continue
            }
            let item = e + s * d, position = p + layout.position + (first + r % width) * d
            for j in 0..<d { row[j] = item[j] + position[j] }
        }
        if dropout > 0 { applyDropout(x, mask: mask0.pointer, count: rows * d, random: &random) }
        for (l, block) in layout.blocks.enumerated() {
            forwardBlock(l, block, parameters: p, random: &random)
        }
        let last = blockInput[layout.blocks.count].pointer
        layerNormForward(last, rows: rows, dimension: d, gamma: p + layout.finalGamma, beta: p + layout.finalBeta, epsilon: epsilon,
                         xhat: xhatF.pointer, rstd: rstdF.pointer, out: output.pointer)
    }

    private func applyDropout(_ x: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, count: Int, random: inout SeededRandom) {
        let keep = 1 / (1 - dropout)
        for k in 0..<count {
            let m: Float = random.nextUnitFloat() < dropout ? 0 : keep
            mask[k] = m
            x[k] *= m
        }
    }

    private func forwardBlock(_ l: Int, _ w: ParameterLayout.Block, parameters p: UnsafePointer<Float>, random: inout SeededRandom) {
        let d = layout.dimension, rows = batch.rows
        let x = blockInput[l].pointer
        layerNormForward(x, rows: rows, dimension: d, gamma: p + w.ln1Gamma, beta: p + w.ln1Beta, epsilon: epsilon,
                         xhat: xhat1[l].pointer, rstd: rstd1[l].pointer, out: h1[l].pointer)
        gemm(false, false, rows, 3 * d, d, 1, h1[l].pointer, d, p + w.qkv, 3 * d, 0, qkv[l].pointer, 3 * d)
        addBias(qkv[l].pointer, rows: rows, columns: 3 * d, bias: p + w.qkvBias)
        attentionForward(l)
        let projected = temp1.pointer
        gemm(false, false, rows, d, d, 1, attended[l].pointer, d, p + w.output, d, 0, projected, d)
        addBias(projected, rows: rows, columns: d, bias: p + w.outputBias)
        if dropout > 0 { applyDropout(projected, mask: mask1[l].pointer, count: rows * d, random: &random) }
        let mid = middle[l].pointer
        for k in 0..<(rows * d) { mid[k] = x[k] + projected[k] }
        layerNormForward(mid, rows: rows, dimension: d, gamma: p + w.ln2Gamma, beta: p + w.ln2Beta, epsilon: epsilon,
                         xhat: xhat2[l].pointer, rstd: rstd2[l].pointer, out: h2[l].pointer)
        let act = activation[l].pointer
        gemm(false, false, rows, d, d, 1, h2[l].pointer, d, p + w.ffn1, d, 0, act, d)
        addBias(act, rows: rows, columns: d, bias: p + w.ffn1Bias)
        for k in 0..<(rows * d) where act[k] < 0 { act[k] = 0 }
        gemm(false, false, rows, d, d, 1, act, d, p + w.ffn2, d, 0, projected, d)
        addBias(projected, rows: rows, columns: d, bias: p + w.ffn2Bias)
        if dropout > 0 { applyDropout(projected, mask: mask2[l].pointer, count: rows * d, random: &random) }
        let next = blockInput[l + 1].pointer
        for k in 0..<(rows * d) { next[k] = mid[k] + projected[k] }
    }

    /// The first real column of sequence b (its left padding ends there).
    @inline(__always) func start(_ b: Int) -> Int {
        let width = batch.width
        var t = 0
        while t < width && batch.tokens[b * width + t] < 0 { t += 1 }
        return t
    }

    /// Causal scaled dot-product attention per sequence and head over its real columns; rows of
    /// padding columns get 0.
    private func attentionForward(_ l: Int) {
        let d = layout.dimension, width = batch.width, dh = d / heads
        let scale = 1 / Float(dh).squareRoot()
        let qkvp = qkv[l].pointer, out = attended[l].pointer, pr = probs[l].pointer
        out.update(repeating: 0, count: batch.rows * d)
        for b in 0..<batch.count {
            let s0 = start(b)
            for h in 0..<heads {
                let weights = pr + ((b * heads + h) * width) * width
                weights.update(repeating: 0, count: width * width)
                for t in s0..<width {
                    let q = qkvp + (b * width + t) * 3 * d + h * dh
                    let row = weights + t * width
                    var top = -Float.infinity
                    for j in s0...t {
                        let s = VectorMath.dot(q, qkvp + (b * width + j) * 3 * d + d + h * dh, dh) * scale
                        row[j] = s
                        top = max(top, s)
                    }
                    var sum: Float = 0
                    for j in s0...t {
                        let v = expf(row[j] - top)
                        row[j] = v
                        sum += v
                    }
                    let o = out + (b * width + t) * d + h * dh
                    let inverse = 1 / sum
                    for j in s0...t {
                        row[j] *= inverse
                        VectorMath.axpy(row[j], qkvp + (b * width + j) * 3 * d + 2 * d + h * dh, o, dh)
                    }
                }
            }
        }
    }
}
