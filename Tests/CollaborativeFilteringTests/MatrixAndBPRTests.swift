import Testing
@testable import CollaborativeFiltering

@Suite struct SparseMatrixTests {
    @Test func duplicatesAreSummedColumnsSortedOutOfRangeIgnored() {
        let m = SparseMatrix(rows: 3, columns: 4, triplets: [(0, 3, 1), (0, 1, 2), (0, 3, 4), (2, 0, 1), (5, 0, 1), (1, 9, 1), (-1, 0, 1)])
        #expect(m.indptr == [0, 2, 2, 3])
        #expect(m.indices == [1, 3, 0])
        #expect(m.values == [2, 5, 1])
    }

    @Test func streamedEntriesGiveTheSumsOfEveryCell() {
        // 2,000 random entries (many repeats) over 30 × 20: each cell is the sum of its entries,
        // computed here by a dictionary; rows list their columns ascending.
        var state: UInt64 = 11
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let entries = (0..<2_000).map { _ in (Int32(next() % 30), Int32(next() % 20), Float(next() % 5) + 1) }
        var want: [Int: [Int32: Float]] = [:]
        for (r, c, v) in entries { want[Int(r), default: [:]][c, default: 0] += v }
        let m = SparseMatrix(rows: 30, columns: 20) { emit in for (r, c, v) in entries { emit(r, c, v) } }
        #expect(m.nonZeros == want.values.map(\.count).reduce(0, +))
        for r in 0..<30 {
            let row = m.row(r)
            #expect(row.map(\.0) == (want[r] ?? [:]).keys.sorted(), "row \(r) columns")
            for (c, v) in row { #expect(v == want[r]?[c], "cell \(r), \(c)") }
        }
    }

    @Test func selectedRowsKeepTheirEntries() {
        let m = SparseMatrix(rows: 3, columns: 4, triplets: [(0, 3, 1), (0, 1, 2), (1, 0, 5), (2, 2, 7)])
        let s = m.selectingRows([2, 0, 9])
        #expect(s.rows == 3 && s.columns == 4)
        #expect(s.row(0).map(\.0) == [2] && s.row(0).map(\.1) == [7])
        #expect(s.row(1).map(\.0) == [1, 3] && s.row(1).map(\.1) == [2, 1])
        #expect(s.row(2).isEmpty, "a row out of range is empty")
    }

    @Test func transposeRoundTrips() {
        let m = Checkerboard.matrix()
        let t = m.transposed()
        #expect(t.rows == m.columns && t.columns == m.rows && t.nonZeros == m.nonZeros)
        #expect(t.transposed() == m)
    }

    @Test func weightsOrderIntentAndBinaryIsPresence() {
        let w = InteractionWeights()
        #expect(w.weight(action: .view, rating: nil) < w.weight(action: .click, rating: nil))
        #expect(w.weight(action: .click, rating: nil) < w.weight(action: .cart, rating: nil))
        #expect(w.weight(action: .cart, rating: nil) < w.weight(action: .purchase, rating: nil))
        #expect(w.review(rating: 5) > w.review(rating: 3))
        #expect(w.review(rating: 3) > w.review(rating: 1))
        #expect(w.weight(action: .rate, rating: 4.6) == w.byStars[5])
        #expect(w.cell(11) == 11)
        let b = InteractionWeights.binaryWeights
        #expect(b.weight(action: .purchase, rating: nil) == 1 && b.cell(11) == 1)
    }
}

@Suite struct BPRTests {
    static let config = BPRConfiguration(factors: 8, learningRate: 0.05, regularization: 0.01, iterations: 200, seed: 2, threads: 1)

    @Test func checkerboardGroupsAreSeparated() throws {
        let m = Checkerboard.matrix()
        let model = try BPRTrainer(Self.config).train(m)
        // The withheld item beats every item of the other group for every user.
        for u in 0..<Checkerboard.users {
            let s = model.scores(userVector: model.user(u))
            let other = (0..<Checkerboard.items).filter { ($0 + u) % 2 == 1 }
            #expect(other.allSatisfy { s[$0] < s[Checkerboard.withheld(u)] }, "user \(u)")
        }
    }

    @Test func oneThreadIsDeterministic() throws {
        let m = Checkerboard.matrix()
        let a = try BPRTrainer(Self.config).train(m), b = try BPRTrainer(Self.config).train(m)
        #expect(a == b)
    }

    @Test func emptyMatrixIsAnError() {
        #expect(throws: CFError.emptyMatrix) { try BPRTrainer(Self.config).train(SparseMatrix(rows: 2, columns: 2, triplets: [])) }
    }
}
