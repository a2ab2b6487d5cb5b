/// The parameters of one synthetic e-commerce world.
///
/// Two configurations that compare equal produce byte-identical output on every machine.
public struct CorpusConfiguration: Sendable, Equatable {
    /// Seed of every random choice in the world.
    public var seed: UInt64
    /// Number of users (1 ... 10,000,000).
    public var users: Int
    /// Number of catalogue items (at least `CorpusGenerator.minimumItems`, at most 1,000,000).
    public var items: Int
    /// Share of users, and of items, written in Chinese (0 ... 1).
    public var chineseUserShare: Double
    /// Unix time (seconds) at which the simulated period starts.
    public var startTimestamp: Int64
    /// Length of the simulated period in days (at least 30); every event falls in
    /// `[startTimestamp, startTimestamp + days * 86400)`.
    public var days: Int
    /// Average number of shopping sessions per user (1 ... 1000). Individual users vary around
    /// it (half to one and a half times), but every user gets at least four sessions per
    /// interest plus one.
    public var meanSessionsPerUser: Double

    /// Creates a configuration; the defaults give the committed demo corpus (800 users,
    /// 480 items, 30 % Chinese, the year 2025).
    public init(
        seed: UInt64 = 42,
        users: Int = 800,
        items: Int = 480,
        chineseUserShare: Double = 0.3,
        startTimestamp: Int64 = 1_735_689_600,
        days: Int = 365,
        meanSessionsPerUser: Double = 8
    ) {
        self.seed = seed
        self.users = users
        self.items = items
        self.chineseUserShare = chineseUserShare
        self.startTimestamp = startTimestamp
        self.days = days
        self.meanSessionsPerUser = meanSessionsPerUser
    }

    /// First second after the simulated period.
    var endTimestamp: Int64 { startTimestamp + Int64(days) * 86_400 }

    /// Throws `invalidParameter` for the first parameter outside its range.
    func validate() throws(CorpusGenerationError) {
        guard (1...10_000_000).contains(users) else {
            throw .invalidParameter(
                name: "users", value: String(users),
                reason: "must be between 1 and 10000000; pass a user count in that range")
        }
        let minimumItems = CorpusGenerator.minimumItems
        guard (minimumItems...1_000_000).contains(items) else {
            throw .invalidParameter(
                name: "items", value: String(items),
                reason: "must be between \(minimumItems) (one item per topic) and 1000000;"
                    + " pass an item count in that range")
        }
        guard chineseUserShare.isFinite, (0.0...1.0).contains(chineseUserShare) else {
            throw .invalidParameter(
                name: "chineseUserShare", value: String(chineseUserShare),
                reason: "must be a fraction between 0 and 1, e.g. 0.3 for 30 % Chinese users")
        }
        guard (0...253_402_300_799).contains(startTimestamp) else {
            throw .invalidParameter(
                name: "startTimestamp", value: String(startTimestamp),
                reason: "must be a Unix time in seconds between 0 and 253402300799 (year 9999)")
        }
        guard (30...36_500).contains(days) else {
            throw .invalidParameter(
                name: "days", value: String(days),
                reason: "must be between 30 and 36500 so interests can develop over time;"
                    + " pass 365 for one year")
        }
        guard meanSessionsPerUser.isFinite, (1.0...1000.0).contains(meanSessionsPerUser) else {
            throw .invalidParameter(
                name: "meanSessionsPerUser", value: String(meanSessionsPerUser),
                reason: "must be between 1 and 1000; pass e.g. 8")
        }
    }
}
