import InterestCore

/// Generates a seeded, realistic synthetic e-commerce world: a bilingual (English/Chinese)
/// item catalogue, users with planted interests, their search queries, interactions and
/// reviews over a period, and a ground-truth line per user.
///
/// The output depends only on the configuration: the same configuration gives byte-identical
/// lines on every machine. Users are generated one at a time from independent random streams,
/// so memory stays bounded (the catalogue plus one user's timeline) for any number of users.
///
/// ```swift
/// let generator = try CorpusGenerator(configuration: CorpusConfiguration(seed: 7, users: 50))
/// let summary = generator.generate(event: { print($0) }, truth: { _ in })
/// ```
public struct CorpusGenerator: Sendable {
    /// The configuration the world is generated from.
    public let configuration: CorpusConfiguration
    let catalogue: Catalogue

    /// Smallest accepted item count: one item per topic.
    public static var minimumItems: Int { Vocabulary.topics.count }

    /// Names of the categories of the world, in a fixed order.
    public static var categoryNames: [String] { Vocabulary.categories.map(\.name) }

    /// Random stream of the catalogue (user streams are `user index + 1`).
    static let catalogueStream: UInt64 = 0xCA7A_1060_0000_0001

    /// Mixed into the seed for the per-item description streams.
    static let descriptionSeedMask: UInt64 = 0xDE5C_0000_7E47_0001

    /// Validates `configuration` and builds the item catalogue.
    ///
    /// - Throws: `CorpusGenerationError.invalidParameter` when users is outside
    ///   1 ... 10,000,000, items outside `minimumItems` ... 1,000,000, the Chinese share
    ///   outside 0 ... 1, days below 30 (or above 36,500), the start before 1970 or after
    ///   9999, or the mean session count outside 1 ... 1000.
    public init(configuration: CorpusConfiguration) throws(CorpusGenerationError) {
        try configuration.validate()
        self.configuration = configuration
        catalogue = Catalogue(configuration: configuration)
    }

    /// Streams the world: every event line, then per user its ground-truth line. Lines have no
    /// trailing newline.
    ///
    /// First the item records (ids ascending) go to `event`; then, user by user in id order,
    /// the user's reviews, queries and interactions go to `event` in chronological order
    /// (timestamps strictly increasing within a user), followed by the user's ground-truth line
    /// to `truth`. An error thrown by either closure stops generation and is rethrown.
    ///
    /// - Returns: counts of what was written.
    public func generate(event: (String) throws -> Void, truth: (String) throws -> Void) rethrows -> CorpusSummary {
        var summary = CorpusSummary(users: configuration.users, items: catalogue.items.count)
        for index in catalogue.items.indices {
            var line = ""
            line.reserveCapacity(320)
            catalogue.appendItemLine(index: index, to: &line)
            try event(line)
            summary.itemRecords += 1
        }
        summary.events = summary.itemRecords

        let userWidth = max(6, JSONLine.digitCount(configuration.users))
        for userIndex in 0..<configuration.users {
            var simulation = UserSimulation(catalogue: catalogue, configuration: configuration, userIndex: userIndex)
            let timeline = simulation.run()
            let userID = JSONLine.paddedID(prefix: "u", number: userIndex + 1, width: userWidth)
            let chinese = timeline.profile.language == .chinese
            for pending in timeline.events {
                try event(eventLine(pending, userID: userID))
                switch pending.kind {
                case .review:
                    summary.reviews += 1
                    if chinese { summary.chineseReviews += 1 }
                case .query:
                    summary.queries += 1
                    if chinese { summary.chineseQueries += 1 }
                case .view, .click, .cart, .purchase:
                    summary.interactions += 1
                }
            }
            summary.events += timeline.events.count
            summary.heldOutPurchases += timeline.futurePurchases.count
            try truth(truthLine(timeline, userID: userID))
        }
        return summary
    }
}
