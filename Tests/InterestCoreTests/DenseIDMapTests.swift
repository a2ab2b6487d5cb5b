import InterestCore
import Testing

@Suite struct DenseIDMapTests {
    @Test func denseAndSparseIDsMapToTheirPositions() {
        // Dense (row ids with gaps), sparse (far apart) and negative ids: the same answers.
        for ids: [Int64] in [[5, 1, 9, 2, 7], [1, 1_000_000_000, 3, 77], [-4, 2, 0], []] {
            let map = DenseIDMap(ids)
            #expect(map.count == ids.count)
            for (k, id) in ids.enumerated() { #expect(map[id] == Int32(k)) }
            for absent: Int64 in [-1, 3_000_000_000, 8, 10, Int64.max, Int64.min] where !ids.contains(absent) { #expect(map[absent] == nil) }
        }
        // A repeated id keeps its first position.
        #expect(DenseIDMap([4, 6, 4])[4] == 0)
        // From a dictionary: positions outside 0..<count are dropped.
        let fromDictionary = DenseIDMap([10: 0, 11: 1, 12: 5], count: 2)
        #expect(fromDictionary[10] == 0 && fromDictionary[11] == 1 && fromDictionary[12] == nil)
        let partial = DenseIDMap([10: 0, 12: 2], count: 3)
        #expect(partial[10] == 0 && partial[12] == 2 && partial[11] == nil)
    }

    @Test func distinctSortedByBitmapOrBySet() {
        #expect(DenseIDMap.distinctSorted([5, 3, 5, 9, 3, 1]) == [1, 3, 5, 9])
        #expect(DenseIDMap.distinctSorted([1_000_000_000_000, 2, 2, -7]) == [-7, 2, 1_000_000_000_000])
        #expect(DenseIDMap.distinctSorted([]) == [])
    }
}
