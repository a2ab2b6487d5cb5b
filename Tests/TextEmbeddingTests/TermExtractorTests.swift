import Testing
import Tokenization
@testable import TextEmbedding

@Suite struct TermExtractorTests {
    @Test func readableWordsPhrasesAndChineseUnits() throws {
        var lines: [String] = []
        for k in 0..<120 {
            lines.append(["I love this fly rod, the fly rod is great for trout.", "这款口红颜色很正，哑光口红很好看",
                          "The matte lipstick is the best matte lipstick 2024", "洗发水很好用，买了两瓶洗发水"][k % 4])
        }
        let tok = try TokenizerRecipe.bpe.train(lines: lines, vocabularySize: 300, threads: 1)
        let terms = TermExtractor().extract(lines, tokenizer: tok, threads: 1)
        let texts = Set(terms.map(\.text))
        #expect(texts.contains("fly rod"))
        #expect(texts.contains("matte lipstick"))
        #expect(texts.contains("trout"))
        #expect(texts.contains("哑光口红"))
        #expect(!texts.contains("洗发水很好用"), "long CJK tokens are split along their merges")
        #expect(texts.contains("洗发水"))
        for stop in ["the", "is", "i", "for", "很", "的"] { #expect(!texts.contains(stop), "\(stop) is a stop word") }
        #expect(!texts.contains("2024"), "numbers alone are not terms")
        #expect(!terms.contains { $0.text.hasPrefix("##") })
        #expect(!terms.contains { $0.kind == .cjkWord && $0.text.unicodeScalars.count < 2 })
        // Document frequency counts texts, not occurrences.
        #expect(terms.first { $0.text == "fly rod" }?.documentFrequency == 30)
    }

    @Test func countingOnSeveralThreadsCountsAsOneThreadDoes() throws {
        var lines: [String] = []
        for k in 0..<301 {
            lines.append(["fly rod for trout \(k % 7)", "哑光口红很好看", "matte lipstick and fly rod", "洗发水很好用", "trout stream"][k % 5])
        }
        let tok = try TokenizerRecipe.bpe.train(lines: lines, vocabularySize: 300, threads: 1)
        var one = TermCounter(tokenizer: tok), two = TermCounter(tokenizer: tok)
        var perTextOne: [[(String, TermKind)]] = [], perTextTwo: [[(String, TermKind)]] = []
        // Two batches, so counts also add up across calls.
        for batch in [Array(lines[..<150]), Array(lines[150...])] {
            perTextOne += one.addReturningTerms(batch, threads: 1)
            perTextTwo += two.addReturningTerms(batch, threads: 2)
        }
        #expect(perTextOne.count == lines.count)
        #expect(perTextOne.map { $0.map(\.0) } == perTextTwo.map { $0.map(\.0) })
        let settings = TermExtractor.Settings()
        #expect(one.terms(settings) == two.terms(settings))
        // By hand: "fly rod" is in 61 + 60 of the 301 lines.
        #expect(one.terms(settings).first { $0.text == "fly rod" }?.documentFrequency == 121)
    }

    @Test func aCompoundThatIsAlsoATokenIsOneTerm() throws {
        // 哑光口红 is learned as one token from the first kind of line and read as 哑光 + 口红 in
        // the others, so it is a candidate both as a CJK word and as a phrase.
        var lines: [String] = []
        for k in 0..<200 { lines.append(["哑光口红哑光口红哑光口红", "哑光 口红", "口红 哑光 口红"][k % 3]) }
        let tok = try TokenizerRecipe.bpe.train(lines: lines, vocabularySize: 200, threads: 1)
        let terms = TermExtractor().extract(lines, tokenizer: tok, threads: 1)
        let texts = terms.map(\.text)
        #expect(texts.count == Set(texts).count, "duplicates: \(texts)")
        #expect(texts.contains("哑光口红"))
    }

    /// The splitter cuts a long token at its first merge, recursively, as an index of every
    /// merge's concatenation would (it is built without one).
    @Test func cjkSplitterFollowsEachTokensFirstMerge() throws {
        let lines = (0..<150).map { ["洗发水很好用，买了两瓶洗发水", "哑光口红颜色很正", "超轻帐篷防潮垫徒步睡袋"][$0 % 3] }
        let tok = try TokenizerRecipe.bpe.train(lines: lines, vocabularySize: 400, threads: 1)
        let bpe = try #require(tok.model as? BPE)
        var parts: [String: (String, String)] = [:]
        for (a, b) in bpe.merges where parts[a + b] == nil { parts[a + b] = (a, b) }
        func reference(_ token: String) -> [String] {
            guard token.unicodeScalars.count > 4, let (a, b) = parts[token] else { return [token] }
            return reference(a) + reference(b)
        }
        let splitter = CJKSplitter(tokenizer: tok)
        var long = 0
        for token in bpe.vocabulary.tokens {
            if token.unicodeScalars.count > 4 { long += 1 }
            #expect(splitter.split(token) == reference(token), "\(token)")
        }
        #expect(long > 0, "the corpus makes tokens longer than four characters")
    }
}
