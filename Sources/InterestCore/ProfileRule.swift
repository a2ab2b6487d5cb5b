import Foundation

/// How much each kind of event says about a user's interests, how its vector is made, and how
/// fast it fades — the one definition the store's incremental update at ingest and the batch
/// recompute at `interests train` both apply (like `ItemVectorRule`).
///
/// Event vectors: a query's own text vector; a review's text vector plus its item's vector (unit,
/// equal parts: praise pulls toward the product's text, and the review's words say why); the
/// item's vector for an interaction.
///
/// Defaults (README "Interest profiles"): a query 1 (the user said what they want), a review by
/// its stars — 5 → 1, 4 → 0.8, 3 → 0.3, 0–2 → 0 (a complaint about a lipstick is not an interest
/// in lipstick), unrated 0.6; the item of a view 0.2, click 0.4, cart 0.8, purchase 1, a `rate`
/// event like a review of the item. Half-life 90 days.
public struct ProfileRule: Sendable, Equatable, Codable {
    public var halfLifeDays: Double = 90
    public var query: Double = 1
    /// Weight of a review (or `rate` event) by stars rounded, 0…5.
    public var reviewByStars: [Double] = [0, 0, 0, 0.3, 0.8, 1]
    public var unratedReview: Double = 0.6
    public var view: Double = 0.2
    public var click: Double = 0.4
    public var cart: Double = 0.8
    public var purchase: Double = 1

    public init() {}

    /// A reason the settings are unusable, or nil.
    public var problem: String? {
        guard halfLifeDays > 0, halfLifeDays.isFinite else { return "the half-life must be a positive number of days, got \(halfLifeDays)" }
        guard reviewByStars.count == 6, reviewByStars.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            return "review weights need six non-negative numbers for 0…5 stars"
        }
        for (name, w) in [("query", query), ("unrated review", unratedReview), ("view", view), ("click", click), ("cart", cart), ("purchase", purchase)]
        where !(w >= 0 && w.isFinite) {
            return "the \(name) weight must be a non-negative number, got \(w)"
        }
        return nil
    }

    public func review(rating: Double?) -> Double {
        guard let rating else { return unratedReview }
        return reviewByStars[Int(min(5, max(0, rating)).rounded())]  // clamped before converting: NaN → 0, no trap
    }

    public func interaction(_ action: Action, rating: Double?) -> Double {
        switch action {
        case .view: view
        case .click: click
        case .cart: cart
        case .purchase: purchase
        case .rate: review(rating: rating)
        }
    }

    /// λ per second, λ = ln 2 / half-life: an event Δt seconds older counts e^(−λ·Δt) as much.
    public var decayRate: Double { log(2) / (halfLifeDays * 86_400) }

    /// The kinds of events a profile sums.
    public enum EventKind: Int, Sendable {
        case review = 0, query = 1, interaction = 2
    }

    /// An event's profile vector and weight: a review's text and item vectors (weight by stars),
    /// a query's vector, an interaction's item vector (weight by action); nil when it has no vector
    /// or no weight. `item` is the vector of the item's own text.
    public func contribution(_ kind: EventKind, own: [Float]?, item: [Float]?, rating: Double?, action: Action?) -> ([Float], Double)? {
        let vector: [Float]?
        let weight: Double
        switch kind {
        case .review:
            vector = Self.reviewVector(text: own, item: item)
            weight = review(rating: rating)
        case .query:
            vector = own
            weight = query
        case .interaction:
            guard let action else { return nil }
            vector = item
            weight = interaction(action, rating: rating)
        }
        guard let vector, weight > 0 else { return nil }
        return (vector, weight)
    }

    /// A review's profile vector: its text vector and its item's vector, equal parts, unit length.
    public static func reviewVector(text: [Float]?, item: [Float]?) -> [Float]? {
        switch (text, item) {
        case (let t?, let i?) where t.count == i.count:
            var v = t
            v.add(i)
            return v.contains { $0 != 0 } ? v.normalized() : nil
        case (let t?, _): return t
        case (nil, let i?): return i
        default: return nil
        }
    }
}

/// An exponentially time-decayed weighted sum of vectors, kept so that one new event updates it
/// exactly: Σ wᵢ·e^(−λ(T − tᵢ))·vᵢ and Σ wᵢ·e^(−λ(T − tᵢ)) at T, the newest event's time. Adding
/// in any order gives the same state (up to rounding) as adding in time order.
public struct DecayedSum: Sendable, Equatable, Codable {
    public private(set) var sum: [Double]
    public private(set) var weight: Double
    /// T: the newest event's time (seconds since 1970).
    public private(set) var timestamp: Int64
    public private(set) var events: Int

    public init(dimension: Int) {
        sum = [Double](repeating: 0, count: dimension)
        weight = 0
        timestamp = Int64.min
        events = 0
    }

    public init(sum: [Double], weight: Double, timestamp: Int64, events: Int) {
        self.sum = sum
        self.weight = weight
        self.timestamp = timestamp
        self.events = events
    }

    public var isEmpty: Bool { events == 0 }

    /// Adds `vector` with `weight` at `time`; `rate` is λ per second.
    public mutating func add(_ vector: [Float], weight w: Double, at time: Int64, rate: Double) {
        guard vector.count == sum.count, w > 0, w.isFinite else { return }
        if events == 0 || time >= timestamp {
            let factor = events == 0 ? 0 : exp(-rate * Double(time - timestamp))
            for k in sum.indices { sum[k] = sum[k] * factor + w * Double(vector[k]) }
            weight = weight * factor + w
            timestamp = time
        } else {
            let f = w * exp(-rate * Double(timestamp - time))
            for k in sum.indices { sum[k] += f * Double(vector[k]) }
            weight += f
        }
        events += 1
    }

    /// The unit direction of the sum (the interest vector), or nil when nothing has weight.
    public var direction: [Float]? {
        let n = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard n > 0, n.isFinite else { return nil }
        return sum.map { Float($0 / n) }
    }

    /// The total weight as seen at `time` (≥ T): how much recent evidence there is.
    public func weight(at time: Int64, rate: Double) -> Double {
        time <= timestamp ? weight : weight * exp(-rate * Double(time - timestamp))
    }
}

/// The one profile calculation: events added to their users' decayed sums under a rule. Ingest
/// and the batch rebuild use it through the store's `ProfileWriter` (which loads a user's stored
/// sum first and writes the result back); the ranker's validation world uses it in memory.
public struct ProfileAccumulator: Sendable {
    public let rule: ProfileRule
    public let dimension: Int
    /// The sums of the users events were added for.
    public private(set) var sums: [Int64: DecayedSum] = [:]

    public init(rule: ProfileRule, dimension: Int) {
        self.rule = rule
        self.dimension = dimension
    }

    /// Adds one event to its user's sum, starting from `loaded` when the user has none here yet.
    /// Events without a contribution (`ProfileRule.contribution`) or of another dimension are
    /// skipped.
    public mutating func add(user: Int64, kind: ProfileRule.EventKind, own: [Float]?, item: [Float]?, rating: Double?, action: Action?,
                             at time: Int64, loaded: @autoclosure () -> DecayedSum) {
        guard let (v, w) = rule.contribution(kind, own: own, item: item, rating: rating, action: action), v.count == dimension else { return }
        var p = sums[user] ?? loaded()
        p.add(v, weight: w, at: time, rate: rule.decayRate)
        sums[user] = p
    }

    /// Whether events were added for `user` here.
    public func has(_ user: Int64) -> Bool { sums[user] != nil }

    /// Starts `user` from a stored sum (a writer that loads the profiles of a batch's users in
    /// one read before adding their events); no effect once the user has a sum here.
    public mutating func seed(user: Int64, _ stored: DecayedSum) {
        if sums[user] == nil { sums[user] = stored }
    }
}
