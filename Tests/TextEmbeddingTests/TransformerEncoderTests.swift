import Foundation
import InterestCore
import Testing
import Tokenization
@testable import TextEmbedding

/// Largest absolute difference and cosine of two vectors.
func compare(_ a: [Float], _ b: [Float]) -> (maxDiff: Float, cosine: Float) {
    var diff: Float = 0
    for (x, y) in zip(a, b) { diff = max(diff, abs(x - y)) }
    let dot = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
    let na = a.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot(), nb = b.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
    return (diff, dot / max(na * nb, 1e-30))
}

@Suite struct TransformerEncoderTests {
    @Test(arguments: ["model.safetensors", "model.f16.safetensors"])
    func vectorsMatchSentenceTransformers(weights: String) throws {
        let encoder = try TransformerEncoder(files: TinyBERT.files(weights: weights))
        let expected = try TinyBERT.expected()
        #expect(encoder.maxLength == 16 && encoder.dimension == 32 && encoder.pooling == .mean)
        let session = TokenizerSession(encoder.tokenizer)
        #expect(expected.texts.map { encoder.tokenIDs($0, session: session) } == expected.ids)
        let vectors = encoder.encode(expected.texts, threads: 2)
        for (k, (v, e)) in zip(vectors, expected.vectors).enumerated() {
            let (diff, cosine) = compare(v.values, e)
            #expect(!v.isEmpty)
            #expect(diff < 2e-5, "text \(k): max difference \(diff)")
            #expect(cosine > 0.99999, "text \(k): cosine \(cosine)")
        }
    }

    @Test func batchingAndThreadsDoNotChangeVectors() throws {
        var encoder = try TransformerEncoder(files: TinyBERT.files())
        let texts = try TinyBERT.expected().texts
        let batch = encoder.encode(texts, threads: 1)
        let threaded = encoder.encode(texts, threads: 3)
        let single = texts.map { encoder.encode([$0], threads: 1)[0] }
        encoder.batchTokens = 20
        encoder.batchSequences = 2
        let small = encoder.encode(texts, threads: 2)
        #expect(batch == threaded)
        for other in [single, small] {
            for (a, b) in zip(batch, other) { #expect(compare(a.values, b.values).maxDiff < 1e-6) }
        }
    }

    @Test func batchesRespectBothBudgets() throws {
        var encoder = try TransformerEncoder(files: TinyBERT.files())
        encoder.batchTokens = 10
        encoder.batchSequences = 3
        #expect(encoder.batchRanges([16, 9, 5, 4, 2, 2, 1, 1, 1]) == [0..<1, 1..<2, 2..<4, 4..<7, 7..<9])
        #expect(encoder.batchRanges([]).isEmpty)
    }

    @Test func blankTextIsEmptyAndLongTextIsTruncated() throws {
        let encoder = try TransformerEncoder(files: TinyBERT.files(), maxLength: 6)
        let v = encoder.encode(["", "   \t ", "great shampoo", "🎣 🎣"], threads: 1)
        #expect(v[0].isEmpty && v[1].isEmpty && v[0].values == [Float](repeating: 0, count: 32))
        #expect(!v[2].isEmpty)
        #expect(!v[3].isEmpty, "unknown characters are [UNK] tokens, encoded as sentence-transformers does")
        let ids = encoder.tokenIDs(String(repeating: "soap ", count: 40), session: TokenizerSession(encoder.tokenizer))
        #expect(ids.count == 6 && ids.first == 2 && ids.last == 3)
        #expect(throws: TextEmbeddingError.self) { try TransformerEncoder(files: TinyBERT.files(), maxLength: 41) }
        #expect(throws: TextEmbeddingError.self) { try TransformerEncoder(files: TinyBERT.files(), maxLength: 2) }
    }

    /// The kernels against a plain double-precision forward pass, for head sizes 8 and 24 (the
    /// vector code's tail), an odd feed-forward width and a 33-token sequence (three key blocks).
    @Test(arguments: [(24, 3, 37), (24, 1, 40), (48, 3, 20)])
    func kernelsMatchAPlainForwardPass(hidden: Int, heads: Int, intermediate: Int) throws {
        let config = BERTConfiguration(vocabularySize: 157, hiddenSize: hidden, layers: 2, heads: heads, intermediateSize: intermediate,
                                       maxPositions: 64, typeVocabularySize: 2, layerNormEpsilon: 1e-12)
        let reference = ReferenceBERT(config: config, seed: UInt64(hidden * 100 + heads))
        var files = try TinyBERT.files()
        files.config = TinyBERT.config(hidden: hidden, layers: 2, heads: heads, intermediate: intermediate)
        files.pooling = Array(#"{"word_embedding_dimension": \#(hidden), "pooling_mode_mean_tokens": true}"#.utf8)
        files.weights = reference.safetensors()
        files.sentenceConfig = Array(#"{"max_seq_length": 40}"#.utf8)
        let encoder = try TransformerEncoder(files: files)
        var rng = SeededRandom(seed: 9)
        let sequences: [[Int32]] = [1, 2, 5, 16, 17, 33].map { n in [2] + (0..<n).map { _ in Int32(5 + rng.next(below: 150)) } + [3] }
        let ours = encoder.encode(ids: sequences, threads: 2)
        for (seq, v) in zip(sequences, ours) {
            let (diff, cosine) = compare(v, reference.forward(seq))
            #expect(diff < 1e-5, "length \(seq.count): max difference \(diff)")
            #expect(cosine > 0.99999)
        }
    }
}
