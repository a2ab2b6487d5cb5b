import InterestCore
import Tokenization

extension SIFEncoder {
    static let magic = "IMSIF1"

    /// The encoder's own parameters as bytes (the tokenizer is stored separately).
    public func serialized() -> [UInt8] {
        var w = BinaryWriter(magic: Self.magic)
        w.write(vectors.dimension)
        w.write(smoothing)
        w.write(vectors.counts)
        w.write(vectors.vectors)
        w.write(weights)
        w.write(principalComponent)
        return w.bytes
    }

    /// Reads what `serialized()` wrote, for `tokenizer` (the one it was trained with).
    public init(serialized bytes: [UInt8], tokenizer: Tokenizer) throws(TextEmbeddingError) {
        do {
            var r = try BinaryReader(bytes, magic: Self.magic)
            let d = try r.readInt("dimension")
            let a = try r.readFloat("smoothing")
            let counts = try r.readInts("token counts")
            let vectors = try r.readFloats("token vectors")
            let weights = try r.readFloats("SIF weights")
            let pc = try r.readFloats("principal component")
            guard d > 0, vectors.count == counts.count * d, weights.count == counts.count, pc.count == d else {
                throw TextEmbeddingError.corruptModel(reason: "inconsistent sizes (dimension \(d), \(counts.count) tokens)")
            }
            guard counts.count == tokenizer.model.vocabulary.count else {
                throw TextEmbeddingError.corruptModel(reason: "\(counts.count) token vectors for a tokenizer of \(tokenizer.model.vocabulary.count) tokens")
            }
            self.init(tokenizer: tokenizer, vectors: TokenVectors(dimension: d, vectors: vectors, counts: counts), weights: weights,
                      principalComponent: pc, smoothing: a)
        } catch let e as TextEmbeddingError {
            throw e
        } catch {
            throw .corruptModel(reason: "\(error)")
        }
    }
}
