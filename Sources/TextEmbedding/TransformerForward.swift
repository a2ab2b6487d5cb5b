import CTransformerKernels

/// C = alpha·A·B(ᵀ) + beta·C on row-major matrices, through OpenBLAS's `cblas_sgemm` (opened
/// when a `TransformerEncoder` is made; `transposeB`: B is stored n × k, as PyTorch stores a
/// linear layer's weight).
@inline(__always)
func sgemm(m: Int, n: Int, k: Int, alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
           transposeB: Bool, beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    tk_sgemm(transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

/// One worker's scratch memory for the forward pass of batches of up to `capacity` tokens in
/// sequences of up to `maxLength` tokens: allocated once per worker and encode call, reused
/// for every batch and layer (nothing is allocated per token).
final class TransformerWorkspace {
    let capacity: Int
    let maxLength: Int
    let hidden: UnsafeMutablePointer<Float>
    let qkv: UnsafeMutablePointer<Float>
    let context: UnsafeMutablePointer<Float>
    let projected: UnsafeMutablePointer<Float>
    let intermediate: UnsafeMutablePointer<Float>
    let attentionScratch: UnsafeMutablePointer<Float>
    let ids: UnsafeMutablePointer<Int32>

    init(config c: BERTConfiguration, capacity: Int, maxLength: Int) {
        self.capacity = max(1, capacity)
        self.maxLength = max(1, maxLength)
        let t = self.capacity
        hidden = .allocate(capacity: t * c.hiddenSize)
        qkv = .allocate(capacity: t * 3 * c.hiddenSize)
        context = .allocate(capacity: t * c.hiddenSize)
        projected = .allocate(capacity: t * c.hiddenSize)
        intermediate = .allocate(capacity: t * c.intermediateSize)
        attentionScratch = .allocate(capacity: tk_attention_scratch(self.maxLength, c.hiddenSize, c.heads))
        ids = .allocate(capacity: t)
    }

    deinit {
        for p in [hidden, qkv, context, projected, intermediate, attentionScratch] { p.deallocate() }
        ids.deallocate()
    }
}

extension TransformerEncoder {
    /// The BERT forward pass (Devlin et al. 2019; Vaswani et al. 2017) over a batch of token-id
    /// sequences, each of 1…`workspace.maxLength` ids, at most `workspace.capacity` in all,
    /// writing each sequence's pooled, unit-length vector to `out` (one row of H per sequence).
    ///
    /// The batch is packed: sequences lie end to end in one (tokens × H) matrix, so the linear
    /// layers run as single matrix products over every real token and no padding row is ever
    /// computed; attention runs per sequence over that sequence's keys, which is exactly what
    /// BERT's padding mask computes (masked keys get weight exp(−∞) = 0).
    ///
    /// - Complexity: O(T·(4H² + 2H·I) + Σ L²·H) per layer for T tokens in sequences of lengths L.
    func forward(_ batch: [[Int32]], workspace ws: TransformerWorkspace, out: UnsafeMutablePointer<Float>) {
        let c = configuration
        let (h, heads, inter) = (c.hiddenSize, c.heads, c.intermediateSize)
        let w = weights
        // Embeddings: word + position + token type 0, then LayerNorm.
        var total = 0
        for seq in batch {
            seq.withUnsafeBufferPointer { s in
                if let base = s.baseAddress { (ws.ids + total).update(from: base, count: s.count) }
            }
            tk_embed(ws.ids + total, seq.count, 0, w.word, w.position, w.tokenType, h, ws.hidden + total * h)
            total += seq.count
        }
        tk_residual_layernorm(ws.hidden, nil, nil, w.embeddingGamma, w.embeddingBeta, total, h, c.layerNormEpsilon)
        let scale = 1 / Float(c.headSize).squareRoot()
        for layer in w.layers {
            // Q, K, V for every token in one product.
            sgemm(m: total, n: 3 * h, k: h, ws.hidden, lda: h, layer.qkv, ldb: h, transposeB: true, ws.qkv, ldc: 3 * h)
            tk_add_bias(ws.qkv, layer.qkvBias, total, 3 * h)
            // Scaled dot-product attention per sequence (all heads).
            var first = 0
            for seq in batch {
                tk_attention(ws.qkv + first * 3 * h, seq.count, h, heads, scale, ws.context + first * h, ws.attentionScratch)
                first += seq.count
            }
            // Output projection, residual, LayerNorm.
            sgemm(m: total, n: h, k: h, ws.context, lda: h, layer.attentionOutput, ldb: h, transposeB: true, ws.projected, ldc: h)
            tk_residual_layernorm(ws.hidden, ws.projected, layer.attentionOutputBias, layer.attentionGamma, layer.attentionBeta,
                                  total, h, c.layerNormEpsilon)
            // Feed-forward with GELU, residual, LayerNorm.
            sgemm(m: total, n: inter, k: h, ws.hidden, lda: h, layer.intermediate, ldb: h, transposeB: true, ws.intermediate, ldc: inter)
            tk_bias_gelu(ws.intermediate, layer.intermediateBias, total, inter)
            sgemm(m: total, n: h, k: inter, ws.intermediate, lda: inter, layer.output, ldb: inter, transposeB: true, ws.projected, ldc: h)
            tk_residual_layernorm(ws.hidden, ws.projected, layer.outputBias, layer.outputGamma, layer.outputBeta, total, h, c.layerNormEpsilon)
        }
        // Pooling and unit length.
        var first = 0
        for (s, seq) in batch.enumerated() {
            let row = out + s * h
            switch pooling {
            case .mean: tk_mean_rows(ws.hidden + first * h, seq.count, h, row)
            case .cls: row.update(from: ws.hidden + first * h, count: h)
            }
            var norm: Float = 0
            for j in 0..<h { norm += row[j] * row[j] }
            let inv = 1 / max(norm.squareRoot(), 1e-12)
            for j in 0..<h { row[j] *= inv }
            first += seq.count
        }
    }
}
