import Foundation
import Testing
@testable import CollaborativeFiltering

/// Item neighbours by co-occurrence, against cosines worked out by hand.
@Suite struct ItemNeighboursTests {
    /// u0 {0,1}, u1 {0,1,2}, u2 {1,2}, u3 {3}: |U₀| = 2, |U₁| = 3, |U₂| = 2, |U₃| = 1;
    /// together (0,1) = 2, (1,2) = 2, (0,2) = 1.
    static let matrix = SparseMatrix(rows: 4, columns: 4, triplets: [
        (0, 0, 1), (0, 1, 5), (1, 0, 1), (1, 1, 1), (1, 2, 3), (2, 1, 1), (2, 2, 1), (3, 3, 1),
    ])

    @Test func cosineOfUserSetsWithAtLeastTwoUsers() throws {
        let found = try ItemNeighbours().neighbours(Self.matrix, threads: 1)
        let twoOfSix = Float(2 / 6.0.squareRoot())
        #expect(found.count == 4)
        #expect(found[0] == [.init(item: 1, score: twoOfSix, users: 2)], "(0,2) was made by one user only")
        #expect(found[1] == [.init(item: 0, score: twoOfSix, users: 2), .init(item: 2, score: twoOfSix, users: 2)], "ties: lower item first")
        #expect(found[2] == [.init(item: 1, score: twoOfSix, users: 2)])
        #expect(found[3].isEmpty)
    }

    @Test func oneUserPairsCapsAndHeavyUsers() throws {
        let all = try ItemNeighbours(.init(minimumUsers: 1)).neighbours(Self.matrix, threads: 1)
        #expect(all[0] == [.init(item: 1, score: Float(2 / 6.0.squareRoot()), users: 2), .init(item: 2, score: 0.5, users: 1)])
        let one = try ItemNeighbours(.init(neighbours: 1)).neighbours(Self.matrix, threads: 1)
        #expect(one[1] == [.init(item: 0, score: Float(2 / 6.0.squareRoot()), users: 2)])
        // u1 (3 items) left out: |U₀| = 1, |U₁| = 2, |U₂| = 1; (0,1) = 1 → 1/√2.
        let light = try ItemNeighbours(.init(minimumUsers: 1, maximumItemsPerUser: 2)).neighbours(Self.matrix, threads: 1)
        #expect(light[0] == [.init(item: 1, score: Float(1 / 2.0.squareRoot()), users: 1)])
        #expect(light[1].map(\.item) == [0, 2])
    }

    @Test func anyThreadCountGivesTheSameNeighbours() throws {
        var triplets: [(row: Int32, column: Int32, value: Float)] = []
        var state: UInt64 = 7
        for u in 0..<300 {
            for _ in 0..<6 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                triplets.append((Int32(u), Int32((state >> 33) % 40), 1))
            }
        }
        let m = SparseMatrix(rows: 300, columns: 40, triplets: triplets)
        let kernel = try ItemNeighbours(.init(neighbours: 5))
        let single = kernel.neighbours(m, threads: 1)
        #expect(single == kernel.neighbours(m, threads: 2))
        #expect(single.allSatisfy { $0.count <= 5 && $0.map(\.score) == $0.map(\.score).sorted(by: >) })
    }

    @Test func badSettingsAreRefused() {
        #expect(throws: CFError.self) { try ItemNeighbours(.init(neighbours: 0)) }
        #expect(throws: CFError.self) { try ItemNeighbours(.init(minimumUsers: 0)) }
        #expect(throws: CFError.self) { try ItemNeighbours(.init(maximumItemsPerUser: 1)) }
    }
}
