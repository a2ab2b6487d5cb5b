import InterestCore
import Testing

@Suite struct UserShardTests {
    @Test func readsIOfN() {
        #expect(UserShard("1/2") == UserShard(index: 1, count: 2))
        #expect(UserShard("3/3")?.description == "3/3")
        for bad in ["0/2", "3/2", "1/0", "-1/2", "a/b", "1", "1/2/3", "", "/2", "1/"] {
            #expect(UserShard(bad) == nil, "\(bad)")
        }
    }

    @Test func everyUserIsInExactlyOnePartOfNearlyEqualSize() {
        let users = (0..<20_000).map { "u\($0)" }
        for n in [1, 2, 3, 7] {
            let shards = (1...n).compactMap { UserShard(index: $0, count: n) }
            var sizes = [Int](repeating: 0, count: n)
            for u in users {
                let holders = shards.filter { $0.contains(u) }
                #expect(holders.count == 1)
                sizes[UserShard.part(of: u, count: n) - 1] += 1
            }
            let mean = Double(users.count) / Double(n)
            #expect(sizes.allSatisfy { abs(Double($0) - mean) < 0.05 * mean }, "\(sizes)")
        }
    }

    @Test func thePartOfAUserNeverChanges() {
        // A change of hash or seed would move users between machines' batch parts. Expected
        // parts from the reference MurmurHash3 (Python's mmh3.hash128(id, 0x5348, x64arch=True):
        // its first 64-bit half, the one `StableHash128` returns first) mod 8, plus 1.
        #expect(["u000001", "u000002", "用户", "A3SGXH7AUHU8GW"].map { UserShard.part(of: $0, count: 8) } == [8, 5, 1, 7])
    }
}
