/// Counts and extents of what the database holds.
public struct DatabaseStats: Sendable, Codable, Equatable {
    public var users: Int
    public var items: Int
    /// Items with a title, text or category (from an item record), as opposed to items only
    /// named by events.
    public var describedItems: Int
    public var reviews: Int
    public var queries: Int
    public var interactions: Int
    /// Interactions per action name (`view`, `click`, `cart`, `purchase`, `rate`).
    public var interactionsByAction: [String: Int]
    /// Earliest and latest event timestamps (Unix seconds); nil when there are no events.
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?
    /// Bytes of the database file plus its write-ahead log.
    public var fileBytes: Int64
    /// Trained models by kind → latest version.
    public var models: [String: Int]

    public init(users: Int, items: Int, describedItems: Int, reviews: Int, queries: Int, interactions: Int,
                interactionsByAction: [String: Int], firstTimestamp: Int64?, lastTimestamp: Int64?,
                fileBytes: Int64, models: [String: Int]) {
        self.users = users
        self.items = items
        self.describedItems = describedItems
        self.reviews = reviews
        self.queries = queries
        self.interactions = interactions
        self.interactionsByAction = interactionsByAction
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.fileBytes = fileBytes
        self.models = models
    }
}

