/// Counts of what one `CorpusGenerator.generate` call produced.
public struct CorpusSummary: Sendable, Equatable, Codable {
    /// Users generated (one ground-truth line each).
    public var users: Int
    /// Catalogue items.
    public var items: Int
    /// Every line passed to the event sink (item records, reviews, queries and interactions).
    public var events: Int
    /// Item record lines.
    public var itemRecords: Int
    /// Review lines.
    public var reviews: Int
    /// Search query lines.
    public var queries: Int
    /// Interaction lines (view, click, cart, purchase).
    public var interactions: Int
    /// Reviews written in Chinese.
    public var chineseReviews: Int
    /// Queries written in Chinese.
    public var chineseQueries: Int
    /// Items listed in `future_purchases`, over all users.
    public var heldOutPurchases: Int

    /// Creates a summary (all counts default to zero).
    public init(
        users: Int = 0, items: Int = 0, events: Int = 0, itemRecords: Int = 0, reviews: Int = 0,
        queries: Int = 0, interactions: Int = 0, chineseReviews: Int = 0, chineseQueries: Int = 0,
        heldOutPurchases: Int = 0
    ) {
        self.users = users
        self.items = items
        self.events = events
        self.itemRecords = itemRecords
        self.reviews = reviews
        self.queries = queries
        self.interactions = interactions
        self.chineseReviews = chineseReviews
        self.chineseQueries = chineseQueries
        self.heldOutPurchases = heldOutPurchases
    }
}
