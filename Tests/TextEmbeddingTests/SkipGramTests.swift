import InterestCore
import Testing
@testable import TextEmbedding

/// Sentences drawn from three topics with disjoint vocabularies (ids 0–9, 10–19, 20–29).
func plantedCorpus(sentences: Int = 1200, seed: UInt64 = 3) -> TokenCorpus {
    var rng = SeededRandom(seed: seed)
    var corpus = TokenCorpus(vocabularySize: 30)
    for _ in 0..<sentences {
        let topic = rng.next(below: 3)
        corpus.append((0..<8).map { _ in Int32(topic * 10 + rng.next(below: 10)) })
    }
    return corpus
}

@Suite struct SkipGramTests {
    static let config = SkipGramConfiguration(dimension: 16, window: 3, negatives: 5, subsample: 0, epochs: 10, minCount: 1, seed: 11, threads: 1)

    @Test func sameSeedOneThreadGivesBitIdenticalVectors() throws {
        let a = try SkipGramTrainer(Self.config).train(plantedCorpus())
        let b = try SkipGramTrainer(Self.config).train(plantedCorpus())
        #expect(a.vectors == b.vectors)
        var other = Self.config
        other.seed = 12
        #expect(try SkipGramTrainer(other).train(plantedCorpus()).vectors != a.vectors)
    }

    @Test func wordsOfOneTopicAreNearerEachOtherThanOtherTopics() throws {
        let v = try SkipGramTrainer(Self.config).train(plantedCorpus())
        func cos(_ i: Int, _ j: Int) -> Float { v.vector(Int32(i)).normalized().dot(v.vector(Int32(j)).normalized()) }
        var within: [Float] = []
        var across: [Float] = []
        for i in 0..<30 {
            for j in (i + 1)..<30 {
                if i / 10 == j / 10 { within.append(cos(i, j)) } else { across.append(cos(i, j)) }
            }
        }
        let meanWithin = within.reduce(0, +) / Float(within.count)
        let meanAcross = across.reduce(0, +) / Float(across.count)
        #expect(meanWithin > meanAcross + 0.3, "within \(meanWithin) across \(meanAcross)")
        // Every word's nearest neighbour is in its own topic.
        for i in 0..<30 {
            let best = (0..<30).filter { $0 != i }.max { cos(i, $0) < cos(i, $1) } ?? -1
            #expect(best / 10 == i / 10, "word \(i)")
        }
    }

    @Test func twoThreadsTrainToTheSameStructure() throws {
        var c = Self.config
        c.threads = 2
        let v = try SkipGramTrainer(c).train(plantedCorpus())
        let a = v.vector(0).normalized(), b = v.vector(1).normalized(), z = v.vector(25).normalized()
        #expect(a.dot(b) > a.dot(z))
    }

    @Test func rareTokensGetNoVectorAndBadSettingsAreRejected() throws {
        var corpus = plantedCorpus(sentences: 200)
        corpus.append([29])  // appears often anyway; add an unseen id range
        var c = Self.config
        c.minCount = 1_000_000
        #expect(throws: TextEmbeddingError.emptyCorpus) { try SkipGramTrainer(c).train(corpus) }
        #expect(throws: TextEmbeddingError.self) { try SkipGramTrainer(SkipGramConfiguration(dimension: 0)) }
        #expect(throws: TextEmbeddingError.self) { try SkipGramTrainer(SkipGramConfiguration(epochs: 0)) }
        #expect(throws: TextEmbeddingError.emptyCorpus) { try SkipGramTrainer(Self.config).train(TokenCorpus(vocabularySize: 5)) }
    }
}
