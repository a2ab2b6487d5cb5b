/// A BERT encoder's weights as Float32 in one allocation, in PyTorch's layout (a linear layer's
/// weight is out × in, row-major), each tensor's shape checked against the configuration. The
/// query, key and value projections of a layer are stacked into one (3H) × H matrix so a single
/// matrix product computes all three.
///
/// Immutable after `init` (hence `@unchecked Sendable`): workers only read it.
final class BERTWeights: @unchecked Sendable {
    struct Layer {
        let qkv: UnsafePointer<Float>
        let qkvBias: UnsafePointer<Float>
        let attentionOutput: UnsafePointer<Float>
        let attentionOutputBias: UnsafePointer<Float>
        let attentionGamma: UnsafePointer<Float>
        let attentionBeta: UnsafePointer<Float>
        let intermediate: UnsafePointer<Float>
        let intermediateBias: UnsafePointer<Float>
        let output: UnsafePointer<Float>
        let outputBias: UnsafePointer<Float>
        let outputGamma: UnsafePointer<Float>
        let outputBeta: UnsafePointer<Float>
    }

    let word: UnsafePointer<Float>
    let position: UnsafePointer<Float>
    let tokenType: UnsafePointer<Float>
    let embeddingGamma: UnsafePointer<Float>
    let embeddingBeta: UnsafePointer<Float>
    let layers: [Layer]
    private let storage: UnsafeMutablePointer<Float>

    /// Reads every tensor of `config` from `tensors`. Names follow Hugging Face's `BertModel`
    /// (`embeddings.…`, `encoder.layer.N.…`), optionally under `bert.`; LayerNorm parameters
    /// may be `weight`/`bias` or the older `gamma`/`beta`.
    init(_ tensors: SafeTensors, config c: BERTConfiguration) throws(TextEmbeddingError) {
        let prefix = tensors.entries["embeddings.word_embeddings.weight"] == nil && tensors.entries["bert.embeddings.word_embeddings.weight"] != nil
            ? "bert." : ""
        let (h, i) = (c.hiddenSize, c.intermediateSize)
        // The tensors in storage order, with their shapes.
        var plan: [(names: [String], shape: [Int])] = [
            (["embeddings.word_embeddings.weight"], [c.vocabularySize, h]),
            (["embeddings.position_embeddings.weight"], [c.maxPositions, h]),
            (["embeddings.token_type_embeddings.weight"], [c.typeVocabularySize, h]),
        ]
        func norm(_ base: String) -> [([String], [Int])] {
            tensors.entries[prefix + base + ".gamma"] != nil && tensors.entries[prefix + base + ".weight"] == nil
                ? [([base + ".gamma"], [h]), ([base + ".beta"], [h])]
                : [([base + ".weight"], [h]), ([base + ".bias"], [h])]
        }
        plan += norm("embeddings.LayerNorm")
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            let qkv = ["query", "key", "value"].map { p + "attention.self.\($0)" }
            plan.append((qkv.map { $0 + ".weight" }, [h, h]))
            plan.append((qkv.map { $0 + ".bias" }, [h]))
            plan.append(([p + "attention.output.dense.weight"], [h, h]))
            plan.append(([p + "attention.output.dense.bias"], [h]))
            plan += norm(p + "attention.output.LayerNorm")
            plan.append(([p + "intermediate.dense.weight"], [i, h]))
            plan.append(([p + "intermediate.dense.bias"], [i]))
            plan.append(([p + "output.dense.weight"], [h, i]))
            plan.append(([p + "output.dense.bias"], [h]))
            plan += norm(p + "output.LayerNorm")
        }
        let total = plan.reduce(0) { $0 + $1.names.count * $1.shape.reduce(1, *) }
        storage = .allocate(capacity: max(1, total))
        var offsets: [Int] = []
        var at = 0
        do {
            for (names, shape) in plan {
                offsets.append(at)
                for name in names {
                    let values = try tensors.floats(prefix + name, shape: shape)
                    _ = UnsafeMutableBufferPointer(start: storage + at, count: values.count).initialize(from: values)
                    at += values.count
                }
            }
        } catch {
            storage.deallocate()
            throw error
        }
        let base = UnsafePointer(storage)
        var next = offsets.makeIterator()
        func take() -> UnsafePointer<Float> { base + (next.next() ?? 0) }
        word = take()
        position = take()
        tokenType = take()
        embeddingGamma = take()
        embeddingBeta = take()
        var layers: [Layer] = []
        for _ in 0..<c.layers {
            layers.append(Layer(qkv: take(), qkvBias: take(), attentionOutput: take(), attentionOutputBias: take(),
                                attentionGamma: take(), attentionBeta: take(), intermediate: take(), intermediateBias: take(),
                                output: take(), outputBias: take(), outputGamma: take(), outputBeta: take()))
        }
        self.layers = layers
    }

    deinit { storage.deallocate() }
}
