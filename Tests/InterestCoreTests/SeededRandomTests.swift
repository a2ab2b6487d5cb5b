import InterestCore
import Testing

@Suite struct SeededRandomTests {
    @Test func sameSeedSameSequence() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
    }

    @Test func differentSeedsAndStreamsDiffer() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 43)
        var c = SeededRandom(seed: 42, stream: 1)
        let xa = (0..<8).map { _ in a.next() }
        #expect(xa != (0..<8).map { _ in b.next() })
        #expect(xa != (0..<8).map { _ in c.next() })
    }

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var r = SeededRandom(seed: 7)
        var seen = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 {
            let x = r.next(below: 10)
            #expect((0..<10).contains(x))
            seen[x] += 1
        }
        // Each bucket expects 1,000; a fair generator stays well within ±20%.
        #expect(seen.allSatisfy { $0 > 800 && $0 < 1200 })
        #expect(r.next(below: 0) == 0)
        for _ in 0..<1000 {
            let u = r.nextUnit()
            #expect(u >= 0 && u < 1)
        }
    }

    @Test func shuffleIsAPermutationAndPickIndexFollowsWeights() {
        var r = SeededRandom(seed: 1)
        var a = Array(0..<100)
        r.shuffle(&a)
        #expect(a.sorted() == Array(0..<100))
        #expect(a != Array(0..<100))
        var hits = [0, 0, 0]
        for _ in 0..<9000 { hits[r.pickIndex(weights: [1, 0, 2]) ?? 1] += 1 }
        #expect(hits[1] == 0)
        #expect(hits[2] > hits[0] * 3 / 2)
        #expect(r.pickIndex(weights: [0, 0]) == nil)
    }
}
