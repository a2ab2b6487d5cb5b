import CTransformerKernels
import Foundation
import InterestCore

/// The items a sampled-softmax step scores each target against: `indices` (shared by the batch)
/// and their rows of E gathered (negatives × d).
struct SampledNegatives: Sendable {
    var indices: [Int32]
    var rows: [Float]
}

extension SequenceWorkspace {
    /// The loss of the last forward pass at its target columns, summed and divided by
    /// `normaliser` (the targets of the whole mini-batch, so the shards' gradients add up to the
    /// batch mean), and its gradient: dL/dy into `gradY`, dL/dE added to the item rows of
    /// `gradient`. Full softmax when `negatives` is nil, else sampled softmax against them.
    /// Work: O(targets · items · d) full, O(targets · negatives · d) sampled; memory one chunk of
    /// ≤ 8M logits.
    func outputLoss(items e: UnsafePointer<Float>, itemCount n: Int, negatives: SampledNegatives?, normaliser: Float,
                    gradient g: UnsafeMutablePointer<Float>) -> Double {
        let d = layout.dimension, rows = batch.rows
        gradY.zero(rows * d)
        var targetRows: [Int] = []
        for r in 0..<rows where batch.targets[r] >= 0 { targetRows.append(r) }
        let columns = negatives.map { $0.indices.count + 1 } ?? n
        let chunk = max(1, min(1024, 8_000_000 / max(1, columns)))
        gathered.reserve(chunk * d)
        gatheredGrad.reserve(chunk * d)
        logits.reserve(chunk * columns)
        let dE = g + layout.item
        var loss = 0.0
        let scale = 1 / normaliser
        var begin = 0
        while begin < targetRows.count {
            let count = min(chunk, targetRows.count - begin)
            let yc = gathered.pointer, z = logits.pointer, dy = gatheredGrad.pointer
            for c in 0..<count { (yc + c * d).update(from: output.pointer + targetRows[begin + c] * d, count: d) }
            if let negatives {
                negatives.rows.withUnsafeBufferPointer { en in
                    // Column 0: the target; columns 1…K: the shared negatives.
                    gemm(false, true, count, columns - 1, d, 1, yc, d, en.baseAddress!, d, 0, z + 1, columns)
                }
                for c in 0..<count {
                    let target = Int(batch.targets[targetRows[begin + c]])
                    let zr = z + c * columns
                    zr[0] = VectorMath.dot(yc + c * d, e + target * d, d)
                    for k in 0..<(columns - 1) where Int(negatives.indices[k]) == target { zr[k + 1] = -.infinity }
                }
                tk_softmax_rows(z, count, columns, columns)
                for c in 0..<count {
                    loss -= Double(logf(max(z[c * columns], .leastNormalMagnitude)))
                    z[c * columns] -= 1
                }
                for k in 0..<(count * columns) { z[k] *= scale }
                negatives.rows.withUnsafeBufferPointer { en in
                    gemm(false, false, count, d, columns - 1, 1, z + 1, columns, en.baseAddress!, d, 0, dy, d)
                }
                // dE of the negatives: dZᵀ·Y, scattered by index; of the targets: dz₀·y.
                temp2.reserve((columns - 1) * d)
                gemm(true, false, columns - 1, d, count, 1, z + 1, columns, yc, d, 0, temp2.pointer, d)
                for k in 0..<(columns - 1) { VectorMath.axpy(1, temp2.pointer + k * d, dE + Int(negatives.indices[k]) * d, d) }
                for c in 0..<count {
                    let target = Int(batch.targets[targetRows[begin + c]])
                    let z0 = z[c * columns]
                    VectorMath.axpy(z0, e + target * d, dy + c * d, d)
                    VectorMath.axpy(z0, yc + c * d, dE + target * d, d)
                }
            } else {
                gemm(false, true, count, n, d, 1, yc, d, e, d, 0, z, n)
                // softmax − onehot per row; the 1/normaliser goes into the products' alpha.
                tk_softmax_rows(z, count, n, n)
                for c in 0..<count {
                    let at = z + c * n + Int(batch.targets[targetRows[begin + c]])
                    loss -= Double(logf(max(at.pointee, .leastNormalMagnitude)))
                    at.pointee -= 1
                }
                gemm(false, false, count, d, n, scale, z, n, e, d, 0, dy, d)
                gemm(true, false, n, d, count, scale, z, n, yc, d, 1, dE, d)
            }
            for c in 0..<count { (gradY.pointer + targetRows[begin + c] * d).update(from: dy + c * d, count: d) }
            begin += count
        }
        return loss / Double(normaliser)
    }

    /// Back-propagates `gradY` (dL/dy) through the blocks, adding every parameter's gradient to
    /// `gradient` (its item rows receive dL/dE: the input embedding and the shared output
    /// embedding are the same table).
    func backward(parameters p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>) {
        let d = layout.dimension, rows = batch.rows, width = batch.width
        let dx = gradX.pointer
        dx.update(repeating: 0, count: rows * d)
        layerNormBackward(gradY.pointer, rows: rows, dimension: d, xhat: xhatF.pointer, rstd: rstdF.pointer, gamma: p + layout.finalGamma,
                          dGamma: g + layout.finalGamma, dBeta: g + layout.finalBeta, dx: dx)
        for l in stride(from: layout.blocks.count - 1, through: 0, by: -1) {
            backwardBlock(l, layout.blocks[l], parameters: p, gradient: g)
        }
        if dropout > 0 { for k in 0..<(rows * d) { dx[k] *= mask0.pointer[k] } }
        let first = layout.maxLength - width
        for r in 0..<rows {
            let s = Int(batch.tokens[r])
            guard s >= 0 else { continue }
            VectorMath.axpy(1, dx + r * d, g + layout.item + s * d, d)
            VectorMath.axpy(1, dx + r * d, g + layout.position + (first + r % width) * d, d)
        }
    }

    private func backwardBlock(_ l: Int, _ w: ParameterLayout.Block, parameters p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>) {
        let d = layout.dimension, rows = batch.rows, n = rows * d
        let dx = gradX.pointer, t1 = temp1.pointer, t2 = temp2.pointer
        // Feed-forward: next = middle + dropout(relu(h2·W1 + b1)·W2 + b2).
        if dropout > 0 { for k in 0..<n { t1[k] = dx[k] * mask2[l].pointer[k] } } else { t1.update(from: dx, count: n) }
        let act = activation[l].pointer
        gemm(true, false, d, d, rows, 1, act, d, t1, d, 1, g + w.ffn2, d)
        addColumnSums(t1, rows: rows, columns: d, into: g + w.ffn2Bias)
        gemm(false, true, rows, d, d, 1, t1, d, p + w.ffn2, d, 0, t2, d)
        for k in 0..<n where act[k] <= 0 { t2[k] = 0 }
        gemm(true, false, d, d, rows, 1, h2[l].pointer, d, t2, d, 1, g + w.ffn1, d)
        addColumnSums(t2, rows: rows, columns: d, into: g + w.ffn1Bias)
        gemm(false, true, rows, d, d, 1, t2, d, p + w.ffn1, d, 0, t1, d)
        layerNormBackward(t1, rows: rows, dimension: d, xhat: xhat2[l].pointer, rstd: rstd2[l].pointer, gamma: p + w.ln2Gamma,
                          dGamma: g + w.ln2Gamma, dBeta: g + w.ln2Beta, dx: dx)
        // Attention: middle = input + dropout(attended·Wo + bo).
        if dropout > 0 { for k in 0..<n { t1[k] = dx[k] * mask1[l].pointer[k] } } else { t1.update(from: dx, count: n) }
        gemm(true, false, d, d, rows, 1, attended[l].pointer, d, t1, d, 1, g + w.output, d)
        addColumnSums(t1, rows: rows, columns: d, into: g + w.outputBias)
        gemm(false, true, rows, d, d, 1, t1, d, p + w.output, d, 0, t2, d)
        attentionBackward(l, gradAttended: t2)
        let dqkv = gradQKV.pointer
        gemm(true, false, d, 3 * d, rows, 1, h1[l].pointer, d, dqkv, 3 * d, 1, g + w.qkv, 3 * d)
        addColumnSums(dqkv, rows: rows, columns: 3 * d, into: g + w.qkvBias)
        gemm(false, true, rows, d, 3 * d, 1, dqkv, 3 * d, p + w.qkv, 3 * d, 0, t1, d)
        layerNormBackward(t1, rows: rows, dimension: d, xhat: xhat1[l].pointer, rstd: rstd1[l].pointer, gamma: p + w.ln1Gamma,
                          dGamma: g + w.ln1Gamma, dBeta: g + w.ln1Beta, dx: dx)
    }

    /// dL/d(q, k, v) into `gradQKV` from dL/d(attended): the softmax's Jacobian per row.
    private func attentionBackward(_ l: Int, gradAttended dO: UnsafePointer<Float>) {
        let d = layout.dimension, width = batch.width, dh = d / heads
        let scale = 1 / Float(dh).squareRoot()
        let qkvp = qkv[l].pointer, pr = probs[l].pointer, dqkv = gradQKV.pointer
        dqkv.update(repeating: 0, count: batch.rows * 3 * d)
        var dp = [Float](repeating: 0, count: width)
        for b in 0..<batch.count {
            let s0 = start(b)
            for h in 0..<heads {
                let weights = pr + ((b * heads + h) * width) * width
                for t in s0..<width {
                    let go = dO + (b * width + t) * d + h * dh
                    let row = weights + t * width
                    var rowDot: Float = 0
                    for j in s0...t {
                        let s = VectorMath.dot(go, qkvp + (b * width + j) * 3 * d + 2 * d + h * dh, dh)
                        dp[j] = s
                        rowDot += s * row[j]
                        VectorMath.axpy(row[j], go, dqkv + (b * width + j) * 3 * d + 2 * d + h * dh, dh)
                    }
                    let q = qkvp + (b * width + t) * 3 * d + h * dh
                    let dq = dqkv + (b * width + t) * 3 * d + h * dh
                    for j in s0...t {
                        let ds = row[j] * (dp[j] - rowDot) * scale
                        VectorMath.axpy(ds, qkvp + (b * width + j) * 3 * d + d + h * dh, dq, dh)
                        VectorMath.axpy(ds, q, dqkv + (b * width + j) * 3 * d + d + h * dh, dh)
                    }
                }
            }
        }
    }
}
