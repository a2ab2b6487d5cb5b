/// One of N parts of a shop's users, by a stable hash of the user id (MurmurHash3 x64-128 of
/// its UTF-8 bytes, `StableHash128`), so N machines running a batch job with `--shard 1/N` …
/// `--shard N/N` split the users between them — every user in exactly one part, the same part
/// on every machine, run and platform, whatever order or subset of users each one reads.
public struct UserShard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based: 1…count.
    public let index: Int
    public let count: Int

    /// `index` of `count` parts; nil unless 1 ≤ index ≤ count.
    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Reads `I/N` (e.g. `2/4`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }

    /// Seed of the shard hash (fixed: changing it would move users between parts).
    static let seed: UInt64 = 0x5348

    /// The part (1…count) a user belongs to.
    public static func part(of user: String, count: Int) -> Int {
        let (high, _) = StableHash128.hash(Array(user.utf8), seed: seed)
        return Int(high % UInt64(max(1, count))) + 1
    }

    public func contains(_ user: String) -> Bool { Self.part(of: user, count: count) == index }

    public var description: String { "\(index)/\(count)" }
}
