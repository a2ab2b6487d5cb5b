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
        // The tensors in storage order, with their shapes. Each is checked against the file as
        // it is planned: the first one missing or of another shape ends the plan, so a
        // config.json with huge sizes or layer counts fails here instead of allocating for them
        // (every planned tensor's elements are in the file).
        var plan: [(names: [String], shape: [Int])] = []
        var total = 0
        func add(_ names: [String], _ shape: [Int]) throws(TextEmbeddingError) {
            for name in names { total += try tensors.entry(prefix + name, shape: shape).shape.reduce(1, *) }
            plan.append((names, shape))
        }
        func norm(_ base: String) throws(TextEmbeddingError) {
            if tensors.entries[prefix + base + ".gamma"] != nil && tensors.entries[prefix + base + ".weight"] == nil {
                try add([base + ".gamma"], [h])
                try add([base + ".beta"], [h])
            } else {
                try add([base + ".weight"], [h])
                try add([base + ".bias"], [h])
            }
        }
        try add(["embeddings.word_embeddings.weight"], [c.vocabularySize, h])
        try add(["embeddings.position_embeddings.weight"], [c.maxPositions, h])
        try add(["embeddings.token_type_embeddings.weight"], [c.typeVocabularySize, h])
        try norm("embeddings.LayerNorm")
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            let qkv = ["query", "key", "value"].map { p + "attention.self.\($0)" }
            try add(qkv.map { $0 + ".weight" }, [h, h])
            try add(qkv.map { $0 + ".bias" }, [h])
            try add([p + "attention.output.dense.weight"], [h, h])
            try add([p + "attention.output.dense.bias"], [h])
            try norm(p + "attention.output.LayerNorm")
            try add([p + "intermediate.dense.weight"], [i, h])
            try add([p + "intermediate.dense.bias"], [i])
            try add([p + "output.dense.weight"], [h, i])
            try add([p + "output.dense.bias"], [h])
            try norm(p + "output.LayerNorm")
        }
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
