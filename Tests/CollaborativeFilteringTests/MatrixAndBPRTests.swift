import Testing
@testable import CollaborativeFiltering

@Suite struct SparseMatrixTests {
    @Test func duplicatesAreSummedColumnsSortedOutOfRangeIgnored() {
        let m = SparseMatrix(rows: 3, columns: 4, triplets: [(0, 3, 1), (0, 1, 2), (0, 3, 4), (2, 0, 1), (5, 0, 1), (1, 9, 1), (-1, 0, 1)])
        #expect(m.indptr == [0, 2, 2, 3])
        #expect(m.indices == [1, 3, 0])
        #expect(m.values == [2, 5, 1])
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
