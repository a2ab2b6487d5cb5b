import InterestCore
import Testing
@testable import CollaborativeFiltering

@Suite struct ALSTests {
    static let config = ALSConfiguration(factors: 4, regularization: 0.05, alpha: 10, iterations: 15, seed: 3, threads: 2)

    @Test func checkerboardWithheldItemRanksFirst() throws {
        let m = Checkerboard.matrix()
        let model = try ALSTrainer(Self.config).train(m)
        for u in 0..<Checkerboard.users {
            #expect(Checkerboard.rankOfWithheld(model, user: u, matrix: m) == 1, "user \(u)")
        }
    }

    @Test func lossNeverIncreases() throws {
        var losses: [Double] = []
        var c = Self.config
        c.factors = 8
        c.iterations = 20
        _ = try ALSTrainer(c).train(Checkerboard.matrix()) { _, loss in if let loss { losses.append(loss) } }
        #expect(losses.count == 20)
        for k in 1..<losses.count {
            #expect(losses[k] <= losses[k - 1] * (1 + 1e-5), "iteration \(k + 1): \(losses[k]) after \(losses[k - 1])")
        }
        #expect(losses.last! < losses.first!)
    }

    @Test func conjugateGradientWithEnoughStepsIsTheExactRowSolve() throws {
        // f CG steps solve an f-dimensional SPD system exactly (up to rounding), so the user half
        // of the last iteration must equal the dense reference solve against the final items…
        // except that the items were re-solved after it; re-solve users once more to compare.
        var c = Self.config
        c.cgSteps = 8
        c.factors = 4
        let m = Checkerboard.matrix().scaled(by: 1)
        let model = try ALSTrainer(c).train(m)
        let users = SharedFloats(model.userFactors)
        let items = SharedFloats(model.itemFactors)
        ALSTrainer.solve(m.scaled(by: c.alpha), target: users, fixed: items, configuration: c)
        let solved = users.array()
        for u in [0, 7, 13] {
            let reference = referenceRowSolve(items: model.itemFactors, factors: 4, entries: m.row(u), alpha: c.alpha, regularization: c.regularization)
            for k in 0..<4 { #expect(abs(Double(solved[u * 4 + k]) - reference[k]) < 1e-3, "user \(u) factor \(k)") }
        }
    }

    @Test func sameSeedSameFactorsForAnyThreadCount() throws {
        let m = Checkerboard.matrix()
        var one = Self.config
        one.threads = 1
        let a = try ALSTrainer(Self.config).train(m)
        let b = try ALSTrainer(Self.config).train(m)
        let c = try ALSTrainer(one).train(m)
        #expect(a == b)
        #expect(a == c)
        var other = Self.config
        other.seed = 4
        let d = try ALSTrainer(other).train(m)
        #expect(d != a)
    }

    @Test func emptyAndSingleInteractionUsers() throws {
        // User 0 has nothing, user 1 one item; the rest the checkerboard.
        var t: [(row: Int32, column: Int32, value: Float)] = [(1, 3, 1)]
        let board = Checkerboard.matrix()
        for u in 0..<board.rows { for (i, w) in board.row(u) { t.append((Int32(u + 2), i, w)) } }
        let m = SparseMatrix(rows: board.rows + 2, columns: board.columns, triplets: t)
        let model = try ALSTrainer(Self.config).train(m)
        #expect(model.user(0) == [Float](repeating: 0, count: 4))
        #expect(model.userFactors.allSatisfy { $0.isFinite })
        #expect(model.itemFactors.allSatisfy { $0.isFinite })
        // The single item is the one-interaction user's best item.
        let scores = model.scores(userVector: model.user(1))
        #expect(scores.indices.max { scores[$0] < scores[$1] } == 3)
    }

    @Test func emptyMatrixAndBadSettingsAreErrors() {
        #expect(throws: CFError.emptyMatrix) { try ALSTrainer(Self.config).train(SparseMatrix(rows: 3, columns: 3, triplets: [])) }
        var c = Self.config
        c.factors = 0
        #expect(throws: CFError.self) { _ = try ALSTrainer(c) }
        c = Self.config
        c.alpha = -1
        #expect(throws: CFError.self) { _ = try ALSTrainer(c) }
        c = Self.config
        c.regularization = .nan
        #expect(throws: CFError.self) { _ = try ALSTrainer(c) }
    }
}
