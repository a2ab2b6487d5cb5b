import InterestCore

/// How strongly each event says "this user wants this item": the confidence it adds to the
/// (user, item) cell of the interaction matrix. Events of one pair add up.
///
/// Defaults (documented in README "Collaborative filtering"): view 1, click 2, cart 4,
/// purchase 8 — each step roughly doubles the evidence of intent; a review or `rate` event
/// counts by its rating on the 0–5 scale: 4–5 stars like a purchase (8), 3 stars 4, 2 stars 2,
/// 0–1 star 1, a review without a rating 4. Even a 1-star review is weak *positive* evidence:
/// the user chose the item, and on the peers' protocol a reviewed item is a hit whatever its
/// rating (measured: negative weights for 1–2 stars cost amazon-all-beauty NDCG@10). A negative
/// weight is allowed ("preference 0 with that confidence", which implicit-feedback ALS
/// supports). `binary` makes every (user, item) pair with events a 1, the peers' matrix.
public struct InteractionWeights: Sendable, Equatable, Codable {
    public var view: Float = 1
    public var click: Float = 2
    public var cart: Float = 4
    public var purchase: Float = 8
    /// Weight of a rating r (0–5), by stars rounded.
    public var byStars: [Float] = [1, 1, 2, 4, 8, 8]
    public var unratedReview: Float = 4
    public var binary = false

    public init() {}

    public static var binaryWeights: InteractionWeights {
        var w = InteractionWeights()
        w.binary = true
        return w
    }

    /// The weight of one interaction.
    public func weight(action: Action, rating: Double?) -> Float {
        if binary { return 1 }
        switch action {
        case .view: return view
        case .click: return click
        case .cart: return cart
        case .purchase: return purchase
        case .rate: return rating.map(stars) ?? unratedReview
        }
    }

    /// The weight of one review.
    public func review(rating: Double?) -> Float {
        if binary { return 1 }
        return rating.map(stars) ?? unratedReview
    }

    /// A matrix cell from the summed weights of a pair's events: the sum, or 1 when `binary`
    /// (the pair happened, however often). Measured alternatives — capping the sum at 16, or
    /// 8·log2(1 + sum/8) — did no better on Corpora/default and worse on amazon-all-beauty.
    public func cell(_ summed: Float) -> Float {
        binary ? 1 : summed
    }

    private func stars(_ r: Double) -> Float {
        let k = Int(min(5, max(0, r)).rounded())  // clamped before converting: NaN → 0, no trap
        return byStars[k]
    }
}
