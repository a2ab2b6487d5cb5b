import Testing
@testable import CollaborativeFiltering

@Suite struct FoldInTests {
    static func trained() throws -> (FactorModel, SparseMatrix) {
        let m = Checkerboard.matrix()
        return (try ALSTrainer(ALSConfiguration(factors: 6, regularization: 0.1, alpha: 4, iterations: 10, seed: 9, threads: 2)).train(m), m)
    }

    @Test func userFoldInEqualsTheExactRowSolve() throws {
        let (model, m) = try Self.trained()
        let fold = ALSFoldIn(itemsOf: model, alpha: 4, regularization: 0.1)
        for u in [0, 5, 12, 19] {
            let got = fold.solve(m.row(u))
            let want = referenceRowSolve(items: model.itemFactors, factors: 6, entries: m.row(u), alpha: 4, regularization: 0.1)
            for k in 0..<6 { #expect(abs(Double(got[k]) - want[k]) < 1e-4, "user \(u) factor \(k)") }
        }
    }

    @Test func itemFoldInEqualsTheExactColumnSolve() throws {
        let (model, m) = try Self.trained()
        let t = m.transposed()
        let fold = ALSFoldIn(usersOf: model, alpha: 4, regularization: 0.1)
        for i in [0, 4, 9] {
            let got = fold.solve(t.row(i))
            let want = referenceRowSolve(items: model.userFactors, factors: 6, entries: t.row(i), alpha: 4, regularization: 0.1)
            for k in 0..<6 { #expect(abs(Double(got[k]) - want[k]) < 1e-4, "item \(i) factor \(k)") }
        }
    }

    @Test func aNewUserFoldedInGetsTheirGroupsWithheldItem() throws {
        let (model, _) = try Self.trained()
        let fold = ALSFoldIn(itemsOf: model, alpha: 4, regularization: 0.1)
        // A new user who liked odd items 1, 3, 5: every other odd item beats every even one.
        let scores = model.scores(userVector: fold.solve([(1, 1), (3, 1), (5, 1)]))
        let odd = stride(from: 7, to: Checkerboard.items, by: 2).map { scores[$0] }
        let even = stride(from: 0, to: Checkerboard.items, by: 2).map { scores[$0] }
        #expect(odd.min()! > even.max()!)
    }

    @Test func emptyRowFoldsToZeroAndOutOfRangeColumnsAreIgnored() throws {
        let (model, _) = try Self.trained()
        let fold = ALSFoldIn(itemsOf: model, alpha: 4, regularization: 0.1)
        #expect(fold.solve([]) == [Float](repeating: 0, count: 6))
        #expect(fold.solve([(2, 1), (99, 1), (-1, 1)]) == fold.solve([(2, 1)]))
    }
}
