import Testing
@testable import Tokenization

/// Contract shared by both models: tokens cover the word exactly, ids are in the vocabulary.
func checkModelContract(_ model: any TokenizationModel, _ words: [String]) {
    for w in words {
        let toks = model.tokenize(w)
        #expect(toks.reduce(0) { $0 + Int($1.length) } == w.utf8.count, "lengths of \(w)")
        #expect(toks.allSatisfy { $0.id >= 0 && Int($0.id) < model.vocabulary.count }, "ids of \(w)")
    }
}

@Suite struct ModelTests {
    static let trained: TrainedBPE = {
        (try? BPETrainer(BPETrainerConfiguration(vocabularySize: 100, specialTokens: ["[UNK]"])).train(fiveWords))
            ?? TrainedBPE(vocabulary: [], merges: [])
    }()

    @Test func bpeAppliesMergesByRankAndFallsBackToUnknown() throws {
        let bpe = try BPE(vocabulary: TokenVocabulary(tokens: Self.trained.vocabulary), merges: Self.trained.merges, unknownToken: "[UNK]")
        func spell(_ w: String) -> [String] { bpe.tokenize(w).map { bpe.vocabulary.tokens[Int($0.id)] } }
        #expect(spell("hugs") == ["hugs"])
        #expect(spell("bug") == ["b", "ug"])
        #expect(spell("mug") == ["[UNK]", "ug"])
        #expect(spell("mmug") == ["[UNK]", "[UNK]", "ug"])
        let fused = try BPE(vocabulary: bpe.vocabulary, merges: Self.trained.merges, unknownToken: "[UNK]", fuseUnknown: true)
        #expect(fused.tokenize("mmug").map(\.id) == [0, 8])
        checkModelContract(bpe, ["hug", "xyz", "口红", "", "pugs"])
    }

    @Test func longWordsUseTheHeapAndAgreeWithShortOnes() throws {
        let bpe = try BPE(vocabulary: TokenVocabulary(tokens: Self.trained.vocabulary), merges: Self.trained.merges, unknownToken: "[UNK]")
        let word = String(repeating: "hugspunbun", count: 20)
        let piecewise = (0..<20).flatMap { _ in bpe.tokenize("hugspunbun").map(\.id) }
        #expect(bpe.tokenize(word).map(\.id) == piecewise)
    }

    @Test func bpeRejectsMergesOutsideTheVocabulary() {
        #expect(throws: TokenizationError.self) {
            try BPE(vocabulary: TokenVocabulary(tokens: ["a", "b"]), merges: [("a", "b")])
        }
    }

    @Test func wordPieceGreedyLongestMatch() throws {
        let vocab = TokenVocabulary(tokens: ["[UNK]", "un", "##aff", "##able", "aff", "##a", "play", "##ing", "##s"])
        let wp = try WordPiece(vocabulary: vocab, unknownToken: "[UNK]", maxInputCharsPerWord: 12)
        func spell(_ w: String) -> [String] { wp.tokenize(w).map { vocab.tokens[Int($0.id)] } }
        #expect(spell("unaffable") == ["un", "##aff", "##able"])
        #expect(spell("playings") == ["play", "##ing", "##s"])
        #expect(spell("played") == ["[UNK]"], "an unmatched part makes the whole word unknown")
        #expect(spell("unaffableunaffable") == ["[UNK]"], "longer than maxInputCharsPerWord")
        checkModelContract(wp, ["unaffable", "xyz", "口红"])
    }
}
