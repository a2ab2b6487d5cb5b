import InterestCore

/// How strongly each event says "this user wants this item": the confidence it adds to the
/// (user, item) cell of the interaction matrix. Events of one pair add up.
///
/// Defaults (documented in README "Collaborative filtering"): view 1, click 2, cart 4,
/// purchase 8 — each step roughly doubles the evidence of intent; a review or `rate` event
/// counts by its rating on the 0–5 scale: 4–5 stars like a purchase (8), 3 stars 2, 1–2 stars
/// *negative* evidence (−2, −4: "preference 0 with confidence", which implicit-feedback ALS
/// supports), a review without a rating 4. `binary` gives every event weight 1, the peers'
/// matrix.
public struct InteractionWeights: Sendable, Equatable, Codable {
    public var view: Float = 1
    public var click: Float = 2
    public var cart: Float = 4
    public var purchase: Float = 8
    /// Weight of a rating r (0–5), by stars rounded.
    public var byStars: [Float] = [-4, -4, -2, 2, 8, 8]
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

    private func stars(_ r: Double) -> Float {
        let k = max(0, min(5, Int(r.rounded())))
        return byStars[k]
    }
}
