import ArgumentParser
import Foundation
import InterestMiner
import TextEmbedding

/// Skip-gram training speed on the token stream ../shared/peers/w2vbench.py gives gensim:
/// lowercase + whitespace split (each CJK ideograph its own token when the text is mostly
/// CJK), tokens seen fewer than `--min-count` times not trained. words/s = corpus tokens ×
/// epochs / training seconds, gensim's formula.
struct SkipGramBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "skipgram", abstract: "Skip-gram words/s on a text corpus (w2vbench settings).")

    @Argument(help: "Text corpus, one document a line.") var corpus: String
    @Option var dim: Int = 64
    @Option var window: Int = 5
    @Option var negatives: Int = 5
    @Option(name: .customLong("min-count")) var minCount: Int = 3
    @Option var epochs: Int = 5
    @Option var threads: Int = 2
    @Option var seed: UInt64 = 1

    struct Result: Codable {
        var tokens: Int
        var vocabulary: Int
        var trainSeconds: Double
        var wordsPerSecond: Double
        var neighbours: [String: [String]]
    }

    func run() async throws {
        let lines = try InterestMiner.readLines([corpus])
        let cjkShare = Self.cjkShare(lines.prefix(2000).joined())
        var ids: [String: Int32] = [:]
        var names: [String] = []
        var sentences: [[Int32]] = []
        sentences.reserveCapacity(lines.count)
        for line in lines {
            var text = line.lowercased()
            if cjkShare > 0.3 {
                var spaced = ""
                for ch in text.unicodeScalars {
                    if Self.isCJK(ch.value) { spaced += " \(ch) " } else { spaced.unicodeScalars.append(ch) }
                }
                text = spaced
            }
            sentences.append(text.split(whereSeparator: { $0.isWhitespace }).map { w in
                let s = String(w)
                if let id = ids[s] { return id }
                let id = Int32(names.count)
                ids[s] = id
                names.append(s)
                return id
            })
        }
        var corpus = TokenCorpus(vocabularySize: names.count)
        for s in sentences { corpus.append(s) }
        let trainer = try SkipGramTrainer(SkipGramConfiguration(dimension: dim, window: window, negatives: negatives, epochs: epochs,
                                                                minCount: minCount, seed: seed, threads: threads))
        let clock = ContinuousClock()
        let start = clock.now
        let vectors = try trainer.train(corpus)
        let d = clock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        // Nearest neighbours of a few mid-frequency words, as a sanity check of the vectors.
        let counts = corpus.counts()
        let order = counts.indices.sorted { counts[$0] > counts[$1] }
        var neighbours: [String: [String]] = [:]
        for w in order.dropFirst(100).prefix(3) {
            let v = vectors.vector(Int32(w)).normalized()
            var best: [(Int, Float)] = []
            for o in order.prefix(20_000) where o != w && counts[o] >= minCount {
                best.append((o, v.dot(vectors.vector(Int32(o)).normalized())))
            }
            best.sort { $0.1 > $1.1 }
            neighbours[names[w]] = best.prefix(5).map { names[$0.0] }
        }
        let result = Result(tokens: corpus.tokens.count, vocabulary: counts.filter { $0 >= minCount }.count, trainSeconds: seconds,
                            wordsPerSecond: Double(corpus.tokens.count * epochs) / seconds, neighbours: neighbours)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }

    static func isCJK(_ v: UInt32) -> Bool {
        (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v) || (0x20000...0x2FA1F).contains(v)
    }

    static func cjkShare(_ text: String) -> Double {
        var cjk = 0, other = 0
        for s in text.unicodeScalars where !s.properties.isWhitespace {
            if isCJK(s.value) { cjk += 1 } else { other += 1 }
        }
        return Double(cjk) / Double(max(1, cjk + other))
    }
}
