import InterestCore
import Testing

@testable import CorpusGeneration

@Suite("HarmonicTable")
struct HarmonicTableTests {
    @Test("draws stay in range and follow a Zipf shape (rank 1 about twice rank 2)")
    func zipfShape() {
        let table = HarmonicTable(maximumCount: 100)
        var random = SeededRandom(seed: 1)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<60_000 {
            let rank = table.sampleRank(count: 10, using: &random)
            #expect((0..<10).contains(rank))
            counts[rank] += 1
        }
        let ratio = Double(counts[0]) / Double(counts[1])
        #expect(ratio > 1.8 && ratio < 2.2)
        #expect(counts[0] > counts[4] * 4)
        #expect(counts.allSatisfy { $0 > 0 })
    }

    @Test("degenerate counts return rank 0 and oversized counts are capped")
    func edges() {
        let table = HarmonicTable(maximumCount: 3)
        var random = SeededRandom(seed: 2)
        #expect(table.sampleRank(count: 0, using: &random) == 0)
        #expect(table.sampleRank(count: 1, using: &random) == 0)
        for _ in 0..<100 { #expect(table.sampleRank(count: 50, using: &random) < 3) }
    }
}
