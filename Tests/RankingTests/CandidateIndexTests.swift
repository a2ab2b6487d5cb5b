import Foundation
import InterestCore
import Testing
@testable import Ranking

/// The inverted file, the row moments and the candidate first stage against the full scan.
@Suite struct CandidateIndexTests {
    /// `rows` vectors of `d` floats around `clusters` seeded centres (a clustered catalogue, as
    /// item vectors are), some rows zero; norms vary so inner products differ from cosines.
    static func clustered(rows: Int, d: Int, clusters: Int, seed: UInt64, zeroEvery: Int = 0) -> [Float] {
        var random = SeededRandom(seed: seed)
        let centres = (0..<(clusters * d)).map { _ in Float(random.nextGaussian()) }
        var out = [Float](repeating: 0, count: rows * d)
        for r in 0..<rows {
            if zeroEvery > 0 && r % zeroEvery == 0 { continue }
            let c = random.next(below: clusters)
            let scale = Float(0.5 + random.nextUnit())
            for k in 0..<d { out[r * d + k] = scale * (centres[c * d + k] + 0.35 * Float(random.nextGaussian())) }
        }
        return out
    }

    static func exactTop(_ k: Int, _ q: [Float], _ m: [Float], rows: Int) -> [Int32] {
        let d = q.count
        let scores = (0..<rows).map { r in (0..<d).reduce(Float(0)) { $0 + m[r * d + $1] * q[$1] } }
        return TopK.best(k, of: scores).map(\.id)
    }

    @Test func probingEveryListIsExactAndEveryNonZeroRowIsInOneList() {
        let (rows, d) = (900, 8)
        let m = Self.clustered(rows: rows, d: d, clusters: 12, seed: 3, zeroEvery: 7)
        let index = InvertedFileIndex(vectors: m, rows: rows, dimension: d)
        let nonZero = (0..<rows).filter { r in (0..<d).contains { m[r * d + $0] != 0 } }
        #expect(index.lists == Int(Double(nonZero.count).squareRoot().rounded(.up)))
        #expect(index.members.map(Int.init).sorted() == nonZero)
        var random = SeededRandom(seed: 9)
        for _ in 0..<20 {
            let q = (0..<d).map { _ in Float(random.nextGaussian()) }
            let got = index.top(10, query: q, probe: index.lists).map(\.id)
            #expect(got == Self.exactTop(10, q, m, rows: rows))
            // By cosine: the rows' directions.
            let norms = (0..<rows).map { r in (0..<d).reduce(Float(0)) { $0 + m[r * d + $1] * m[r * d + $1] }.squareRoot() }
            var cosines = [Float](repeating: -.infinity, count: rows)
            for r in nonZero { cosines[r] = (0..<d).reduce(Float(0)) { $0 + m[r * d + $1] * q[$1] } / norms[r] }
            #expect(index.top(10, query: q, probe: index.lists, cosine: true).map(\.id) == TopK.best(10, of: cosines).map(\.id))
        }
        // A zero or mis-sized query finds nothing.
        #expect(index.top(5, query: [Float](repeating: 0, count: d), probe: 4).isEmpty)
        #expect(index.top(5, query: [1, 2], probe: 4).isEmpty)
    }

    @Test func aFewListsFindMostOfTheExactTopAndTheSameSeedGivesTheSameIndex() {
        let (rows, d) = (6000, 16)
        let m = Self.clustered(rows: rows, d: d, clusters: 40, seed: 5)
        let index = InvertedFileIndex(vectors: m, rows: rows, dimension: d, seed: 11)
        let again = InvertedFileIndex(vectors: m, rows: rows, dimension: d, seed: 11, threads: 1)
        #expect(index.members == again.members && index.offsets == again.offsets && index.centroids == again.centroids)
        var random = SeededRandom(seed: 2)
        var found = 0, wanted = 0
        for _ in 0..<50 {
            // Queries like users: near a cluster of items.
            let r = random.next(below: rows)
            let q = (0..<d).map { m[r * d + $0] + 0.3 * Float(random.nextGaussian()) }
            let exact = Set(Self.exactTop(10, q, m, rows: rows))
            let probe = index.lists / 8
            found += index.top(10, query: q, probe: probe).filter { exact.contains($0.id) }.count
            wanted += exact.count
        }
        // Scanning an eighth of the lists finds at least 90% of the true top 10 (recall@10).
        #expect(Double(found) / Double(wanted) >= 0.9, "recall \(Double(found) / Double(wanted))")
    }

    @Test func momentsStandardiseAsTheFullScanDoes() {
        let (rows, d) = (3000, 12)
        let m = Self.clustered(rows: rows, d: d, clusters: 5, seed: 8, zeroEvery: 9).map { $0 + 3 }  // far from centred
        let moments = RowMoments(vectors: m, rows: rows, dimension: d)
        var random = SeededRandom(seed: 4)
        for _ in 0..<10 {
            let q = (0..<d).map { _ in Float(random.nextGaussian()) }
            var scores = (0..<rows).map { r in (0..<d).reduce(Float(0)) { $0 + m[r * d + $1] * q[$1] } }
            let raw = scores
            standardise(&scores)
            let z = moments.standardisation(q)
            for r in stride(from: 0, to: rows, by: 97) { #expect(abs(z.apply(raw[r]) - scores[r]) < 1e-3) }
        }
    }

    /// A catalogue of clustered text and CF rows with popularity and activity.
    static func catalogue(items n: Int) -> RankingCatalogue {
        let text = clustered(rows: n, d: 12, clusters: 30, seed: 21, zeroEvery: 11)
        var unit = text
        for r in 0..<n {
            let norm = (0..<12).reduce(Float(0)) { $0 + text[r * 12 + $1] * text[r * 12 + $1] }.squareRoot()
            if norm > 0 { for k in 0..<12 { unit[r * 12 + k] = text[r * 12 + k] / norm } }
        }
        let cf = clustered(rows: n, d: 8, clusters: 30, seed: 22, zeroEvery: 13)
        var random = SeededRandom(seed: 23)
        let day: Int64 = 86_400
        let times: [[Int64]] = (0..<n).map { _ in (0..<random.next(below: 6)).map { _ in (100 + Int64(random.next(below: 40))) * day } }
        let counts = (0..<n).map { _ in random.next(below: 1000) }
        return RankingCatalogue(count: n, textDimension: 12, itemVectors: unit, cfFactors: 8, cfItems: cf,
                                popularity: RankingCatalogue.standardisedLogCounts(counts), eventTimes: times)
    }

    static let model = FusionModel(features: [.collaborative, .text, .attention, .collaborativeAttention, .popularity, .recentPopularity],
                                   coldWeights: [0, 0.8, 0.3, 0, 0.5, 0.4], warmWeights: [1, 0.6, 0.4, 0.3, 0.2, 0.3])

    static func user(_ random: inout SeededRandom, _ c: RankingCatalogue, positives: Int) -> (UserSignals, seen: [Int]) {
        let recent = (0..<5).map { _ in random.next(below: c.count) }
        let anchor = recent[0]
        let cf = (0..<8).map { c.cfItems[anchor * 8 + $0] + Float(random.nextGaussian()) * 0.2 }
        var profile = (0..<12).map { c.itemVectors[anchor * 12 + $0] + Float(random.nextGaussian()) * 0.2 }
        let norm = profile.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        profile = profile.map { $0 / norm }
        let signals = UserSignals(cf: cf, profile: profile, recent: recent, positives: positives, time: (120 + Int64(random.next(below: 20))) * 86_400)
        return (signals, recent + [random.next(below: c.count)])
    }

    @Test func withEveryItemACandidateTheAnswerIsTheFullScans() {
        let c = Self.catalogue(items: 500)
        let scorer = FusionScorer(catalogue: c, model: Self.model)
        let index = CandidateIndex(catalogue: c, perChannel: 500, probeShare: 1)
        var random = SeededRandom(seed: 31)
        for k in 0..<30 {
            let (user, seen) = Self.user(&random, c, positives: k % 3 == 0 ? 2 : 20)
            let exact = scorer.top(10, for: user, excluding: seen)
            let fast = scorer.top(10, for: user, excluding: seen, candidates: index)
            #expect(fast.map(\.id) == exact.map(\.id))
            for (a, b) in zip(fast, exact) { #expect(abs(a.score - b.score) < 1e-3) }
            #expect(!fast.contains { seen.contains(Int($0.id)) })
        }
    }

    @Test func defaultChannelsKeepMostOfTheExactTopTen() {
        let c = Self.catalogue(items: 20_000)
        let scorer = FusionScorer(catalogue: c, model: Self.model)
        let index = CandidateIndex(catalogue: c)
        #expect(index.probe < (index.cf?.lists ?? 0) / 4, "scans a small part of the catalogue")
        var random = SeededRandom(seed: 41)
        var found = 0, wanted = 0
        for k in 0..<60 {
            let (user, seen) = Self.user(&random, c, positives: k % 4 == 0 ? 2 : 20)
            let exact = Set(scorer.top(10, for: user, excluding: seen).map(\.id))
            found += scorer.top(10, for: user, excluding: seen, candidates: index).filter { exact.contains($0.id) }.count
            wanted += exact.count
        }
        #expect(Double(found) / Double(wanted) >= 0.95, "overlap with the exact top 10: \(Double(found) / Double(wanted))")
    }

    @Test func theScanBudgetCapsTheRowsAQueryScans() throws {
        let c = Self.catalogue(items: 6_000)
        let share = CandidateIndex(catalogue: c, probeShare: 0.25)
        let lists = try #require(share.cf?.lists)
        let rowsPerList = Double(try #require(share.cf?.members.count)) / Double(lists)
        #expect(share.probe == (lists + 3) / 4, "under the budget the share decides")
        let capped = CandidateIndex(catalogue: c, probeShare: 0.25, scanBudget: 1_000)
        #expect(capped.probe == Int((1_000 / rowsPerList).rounded(.up)), "lists of about \(rowsPerList) rows")
        #expect(capped.probe < share.probe)
        #expect(CandidateIndex(catalogue: c, probeShare: 0.25, scanBudget: 10).probe == 8, "at least 8 lists")
    }

    @Test func aColdUserWithoutVectorsGetsTheMostPopular() {
        let c = Self.catalogue(items: 800)
        let scorer = FusionScorer(catalogue: c, model: Self.model)
        let index = CandidateIndex(catalogue: c, perChannel: 50)
        let user = UserSignals(cf: nil, profile: nil, recent: [], positives: 0, time: 130 * 86_400)
        #expect(scorer.top(10, for: user, excluding: [], candidates: index).map(\.id) == scorer.top(10, for: user, excluding: []).map(\.id))
    }
}
