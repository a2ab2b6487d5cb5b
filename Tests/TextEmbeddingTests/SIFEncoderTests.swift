import InterestCore
import Testing
import Tokenization
@testable import TextEmbedding

@Suite struct SIFEncoderTests {
    static let lines: [String] = (0..<400).map { k in
        [
            "matte lipstick in red, long lasting lipstick color",
            "fly rod and fly reel for trout fishing in rivers",
            "espresso machine grinder for fresh coffee beans",
            "口红 颜色 很正 哑光 口红",
        ][k % 4]
    }

    static func encoder() throws -> SIFEncoder {
        let tok = try TokenizerRecipe.bpe.train(lines: lines, vocabularySize: 200, threads: 1)
        var corpus = TokenCorpus(vocabularySize: tok.model.vocabulary.count)
        let session = TokenizerSession(tok)
        for l in lines { corpus.append(session.encode(l).ids) }
        let vectors = try SkipGramTrainer(SkipGramConfiguration(dimension: 24, window: 4, subsample: 0, epochs: 8, seed: 5, threads: 1)).train(corpus)
        return SIFEncoder.fit(tokenizer: tok, vectors: vectors, sample: lines, threads: 1)
    }

    @Test func weightsFollowTheSIFFormula() throws {
        let tok = try TokenizerRecipe.bpe.train(lines: ["a b c"], vocabularySize: 50, threads: 1)
        let n = tok.model.vocabulary.count
        var counts = [Int](repeating: 0, count: n)
        var vectors = [Float](repeating: 0, count: n * 2)
        if let a = tok.id(of: "a"), let b = tok.id(of: "b") {
            counts[Int(a)] = 3
            counts[Int(b)] = 1
            vectors[Int(a) * 2] = 1
            vectors[Int(b) * 2 + 1] = 1
            let w = SIFEncoder.weights(for: TokenVectors(dimension: 2, vectors: vectors, counts: counts), tokenizer: tok, smoothing: 0.5)
            // p(a) = 3/4 → 0.5/(0.5+0.75) = 0.4; p(b) = 1/4 → 0.5/0.75 = 2/3.
            #expect(abs(w[Int(a)] - 0.4) < 1e-6)
            #expect(abs(w[Int(b)] - 2.0 / 3.0) < 1e-6)
            #expect(w.enumerated().allSatisfy { $0.offset == Int(a) || $0.offset == Int(b) || $0.element == 0 })
        } else {
            Issue.record("tokens a and b missing")
        }
    }

    @Test func principalComponentOfKnownData() {
        let rows: [[Float]] = (0..<50).map { k in [Float(k % 5) + 10, Float(k % 3) * 0.1] }
        let pc = PrincipalComponent.first(of: rows, dimension: 2)
        #expect(abs(pc[0]) > 0.99)
    }

    @Test func vectorsAreUnitAndTopicalAndSemanticRemovesTheCommonDirection() throws {
        let enc = try Self.encoder()
        let lip = enc.encode("red matte lipstick")
        let rod = enc.encode("trout fly rod")
        let coffee = enc.encode("coffee grinder")
        #expect(!lip.isEmpty)
        #expect(abs(lip.values.dot(lip.values) - 1) < 1e-4)
        #expect(lip.values.dot(enc.encode("lipstick color").values) > lip.values.dot(rod.values))
        #expect(rod.values.dot(enc.encode("fishing reel").values) > rod.values.dot(coffee.values))
        if let s = enc.semantic(lip.values) {
            #expect(abs(s.dot(enc.principalComponent)) < 1e-4)
            #expect(abs(s.dot(s) - 1) < 1e-4)
        } else {
            Issue.record("semantic vector missing")
        }
    }

    @Test func emptyAndUnknownTextGiveTheDefinedEmptyVector() throws {
        let enc = try Self.encoder()
        for text in ["", "   ", "§§§ ¶¶", "[CLS] [SEP]", "zzzz qqqq"] {
            let v = enc.encode(text)
            if text.hasPrefix("zzzz") { continue }  // letters are in the alphabet: not empty
            #expect(v.isEmpty, "\(text.debugDescription)")
            #expect(v.values == [Float](repeating: 0, count: enc.dimension))
        }
        #expect(enc.semanticVector("") == nil)
    }

    @Test func serializationRoundTrips() throws {
        let enc = try Self.encoder()
        let back = try SIFEncoder(serialized: enc.serialized(), tokenizer: enc.tokenizer)
        #expect(back.encode("red matte lipstick") == enc.encode("red matte lipstick"))
        #expect(back.principalComponent == enc.principalComponent)
        #expect(throws: TextEmbeddingError.self) { try SIFEncoder(serialized: Array(enc.serialized().dropLast(10)), tokenizer: enc.tokenizer) }
        #expect(throws: TextEmbeddingError.self) { try SIFEncoder(serialized: [1, 2, 3], tokenizer: enc.tokenizer) }
    }
}
