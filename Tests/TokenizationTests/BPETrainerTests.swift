import Testing
@testable import Tokenization

@Suite struct BPETrainerTests {
    /// Hand-computed: pair counts u·g 20, u·n 16, h·u 15, p·u 17 … → merges in count order,
    /// ties (p·ug vs hug·s, both 5) to the smaller pair of ids. (HF's BpeTrainer agrees.)
    @Test func fiveWordCorpusKnownMerges() throws {
        let trained = try BPETrainer(BPETrainerConfiguration(vocabularySize: 100, specialTokens: ["[UNK]"])).train(fiveWords)
        #expect(trained.vocabulary == ["[UNK]", "b", "g", "h", "n", "p", "s", "u", "ug", "un", "hug", "pun", "pug", "hugs", "bun"])
        #expect(trained.merges.map { "\($0.0) \($0.1)" } == ["u g", "u n", "h ug", "p un", "p ug", "hug s", "b un"])
    }

    @Test func vocabularySizeAndMinimumFrequencyStopTraining() throws {
        let small = try BPETrainer(BPETrainerConfiguration(vocabularySize: 10)).train(fiveWords)
        #expect(small.vocabulary.count == 10)
        #expect(small.merges.count == 3)
        let frequent = try BPETrainer(BPETrainerConfiguration(vocabularySize: 100, minFrequency: 12)).train(fiveWords)
        #expect(frequent.merges.map { "\($0.0) \($0.1)" } == ["u g", "u n", "h ug", "p un"])
    }

    @Test func continuationPrefixMarksNonInitialPieces() throws {
        let trained = try BPETrainer(BPETrainerConfiguration(vocabularySize: 100, continuingSubwordPrefix: "##")).train(fiveWords)
        #expect(trained.vocabulary.contains("##ug"))
        #expect(trained.vocabulary.contains("hug"))
        #expect(trained.merges.first.map { "\($0.0) \($0.1)" } == "##u ##g")
    }

    @Test func alphabetLimitKeepsTheMostFrequentCharacters() throws {
        let trained = try BPETrainer(BPETrainerConfiguration(vocabularySize: 100, limitAlphabet: 4)).train(fiveWords)
        // u 36, n 16, g 20, h 15 survive; p 17 too? counts: p 17 > h 15 → {u, g, p, n}.
        #expect(Array(trained.vocabulary.prefix(4)) == ["g", "n", "p", "u"])
    }

    @Test func sameCorpusGivesByteIdenticalFiles() throws {
        let lines = (0..<300).map { "review \($0 % 17) of the matte lipstick 口红 number \($0 % 5) 洗发水" }
        let a = try trainedBPE(lines).serializedJSON()
        let b = try trainedBPE(lines).serializedJSON()
        #expect(a == b)
        let reordered = try TokenizerRecipe.bpe.train(lines: lines, vocabularySize: 300, threads: 2).serializedJSON()
        #expect(a == reordered, "thread count must not change the result")
    }

    @Test func chineseRunsYieldMultiCharacterUnits() throws {
        var lines: [String] = []
        for k in 0..<200 {
            lines.append(["这款口红颜色很正", "洗发水味道很好闻", "口红质量不错", "买了两瓶洗发水", "物流很快，口红很好看"][k % 5])
        }
        let tok = try trainedBPE(lines, vocabularySize: 120)
        #expect(tok.id(of: "口红") != nil)
        #expect(tok.id(of: "洗发水") != nil)
        #expect(tok.encode("口红便宜").tokens.first == "口红")
        #expect(tok.encode("洗发水好").tokens.first == "洗发水")
    }

    @Test func invalidSettingsAreRejected() {
        #expect(throws: TokenizationError.self) { try BPETrainer(BPETrainerConfiguration(vocabularySize: 0)) }
        #expect(throws: TokenizationError.self) { try BPETrainer(BPETrainerConfiguration(minFrequency: -1)) }
    }
}
