import InterestCore
import Testing

@Suite struct VectorMathTests {
    @Test func dotAxpyGemvKnownAnswers() {
        for n in [1, 3, 7, 8, 9, 16, 17, 64, 96, 100] {
            let a = (0..<n).map { Float($0 % 7) - 3 }
            let b = (0..<n).map { Float($0 % 5) * 0.5 }
            let expected = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(abs(a.dot(b) - expected) < 1e-4, "n = \(n)")
            var y = b
            y.add(a, times: 2)
            #expect(y == zip(a, b).map { 2 * $0 + $1 })
        }
        let m: [Float] = [1, 2, 3, 4, 5, 6]
        let q: [Float] = [1, 0, -1]
        var out = [Float](repeating: 0, count: 2)
        m.withUnsafeBufferPointer { mp in
            q.withUnsafeBufferPointer { qp in
                out.withUnsafeMutableBufferPointer { op in
                    VectorMath.gemv(mp.baseAddress!, rows: 2, dimension: 3, qp.baseAddress!, op.baseAddress!)
                }
            }
        }
        #expect(out == [-2, -2])
        #expect(VectorMath.gemv(m, rows: 2, dimension: 3, q) == [-2, -2])
        #expect(VectorMath.gemv(m, rows: 2, dimension: 3, [1, 0]) == [0, 0], "a query of the wrong size scores zero")
        var part: [Float] = [9, 9]
        part.withUnsafeMutableBufferPointer { VectorMath.gemv(m, dimension: 3, [0, 1, 0], rows: 1, 2, into: $0.baseAddress!) }
        #expect(part == [9, 5], "only rows 1..<2 are written")
        #expect(TopK.best(2, of: [0.5, -.infinity, 0.9, 0.5]).map(\.id) == [2, 0], "−∞ excluded, ties by index")
        #expect([3, 4].normalized() == [0.6, 0.8])
        #expect([Float](repeating: 0, count: 4).normalized() == [0, 0, 0, 0])
    }

    @Test func dotRowsScoresTheNamedRowsInOrder() {
        // 40 rows of 12 (past the prefetch distance and the 8-wide loop): row r = r·(1, 2, …, 12).
        let d = 12, rows = 40
        let m = (0..<(rows * d)).map { Float(($0 / d) * ($0 % d + 1)) }
        let q = [Float](repeating: 1, count: d)  // row r · q = 78·r by hand
        let picked: [Int32] = [39, 0, 7, 7, 20, 1, 33, 2, 5, 11, 38, 3]
        #expect(VectorMath.dotRows(m, picked, q) == picked.map { 78 * Float($0) })
        #expect(VectorMath.dotRows(m, [3, -1, 40, 4], q) == [234, 0, 0, 312], "rows outside the matrix score 0")
        #expect(VectorMath.dotRows(m, [], q).isEmpty)
        #expect(VectorMath.dotRows(m, [1, 2], []) == [0, 0], "an empty query scores 0")
    }

    @Test func topKKeepsTheBestWithStableTies() {
        var top = TopK(3)
        for (id, s) in [(5, 0.1), (2, 0.9), (9, 0.5), (1, 0.5), (7, 0.95), (3, -1)] as [(Int32, Float)] { top.offer(id, s) }
        #expect(top.sorted().map(\.id) == [7, 2, 1])
        var none = TopK(0)
        none.offer(1, 1)
        #expect(none.sorted().isEmpty)
        var nan = TopK(2)
        nan.offer(1, .nan)
        nan.offer(2, 0)
        #expect(nan.sorted().map(\.id) == [2])
    }

    @Test func binaryCodingRoundTripsAndRejectsDamage() throws {
        var w = BinaryWriter(magic: "TEST1")
        w.write(42)
        w.write(Float(1.5))
        w.write([Float(1), -2, 0.25])
        w.write([7, 8])
        var r = try BinaryReader(w.bytes, magic: "TEST1")
        #expect(try r.readInt("n") == 42)
        #expect(try r.readFloat("f") == 1.5)
        #expect(try r.readFloats("v") == [1, -2, 0.25])
        #expect(try r.readInts("i") == [7, 8])
        #expect(r.isAtEnd)
        #expect(throws: BinaryReadError.self) { try BinaryReader(w.bytes, magic: "OTHER") }
        var short = try BinaryReader(Array(w.bytes.prefix(w.bytes.count - 3)), magic: "TEST1")
        _ = try short.readInt("n")
        _ = try short.readFloat("f")
        _ = try short.readFloats("v")
        #expect(throws: BinaryReadError.self) { try short.readInts("i") }
        // A crafted count whose byte length overflows Int is refused, not a trap.
        for huge in [Int.max, Int.max / 4 + 1, Int.max / 8 + 1] {
            var crafted = BinaryWriter(magic: "TEST1")
            crafted.write(huge)
            crafted.write(Float(1))
            var floats = try BinaryReader(crafted.bytes, magic: "TEST1")
            #expect(throws: BinaryReadError.self) { try floats.readFloats("v") }
            var ints = try BinaryReader(crafted.bytes, magic: "TEST1")
            #expect(throws: BinaryReadError.self) { try ints.readInts("i") }
        }
        #expect(VectorBlob.decode(VectorBlob.encode([1, -0.5, 3e-8])) == [1, -0.5, 3e-8])
        #expect(VectorBlob.decode([1, 2, 3]) == nil)
    }

    @Test func itemVectorRuleWeighsTextAndReviewMean() {
        #expect(ItemVectorRule.combine(text: nil, reviewSum: nil, reviewCount: 0) == nil)
        #expect(ItemVectorRule.combine(text: [1, 0], reviewSum: nil, reviewCount: 0) == [1, 0])
        // text (1,0) + mean of two reviews ((0,2)/2 = (0,1)) → (1,1)/√2.
        let v = ItemVectorRule.combine(text: [1, 0], reviewSum: [0, 2], reviewCount: 2)
        #expect(v.map { abs($0[0] - 0.70710677) < 1e-6 && abs($0[1] - 0.70710677) < 1e-6 } == true)
    }
}
