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
    /// Model generations, newest first (without their reports).
    public var generations: [GenerationInfo] = []
    /// Forgotten users that the active or a kept generation still learnt from; they are gone
    /// from every model after the next complete `interests train`.
    public var forgottenAwaitingRetrain = 0

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


/// One model generation as `stats` shows it.
public struct GenerationInfo: Sendable, Codable, Equatable {
    public var id: Int
    /// building, active, retired (kept), dropped (its tables deleted) or failed.
    public var state: String
    public var startedAt: Int64
    public var activatedAt: Int64?
    /// The derived tables it rebuilt.
    public var parts: [String]
    /// The training report (JSON) of the run, when it completed.
    public var report: String?

    public init(id: Int, state: String, startedAt: Int64, activatedAt: Int64?, parts: [String], report: String?) {
        self.id = id
        self.state = state
        self.startedAt = startedAt
        self.activatedAt = activatedAt
        self.parts = parts
        self.report = report
    }
}

