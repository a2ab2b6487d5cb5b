/// How an item's text vector is composed (documented in README "Text vectors"): the unit vector
/// of its own text (title + description) and the mean of its reviews' unit vectors, weighted
/// equally when both exist, then scaled to unit length. Keeping the review sum and count makes
/// one new review an exact O(d) update.
public enum ItemVectorRule {
    public static let textWeight: Float = 1
    public static let reviewWeight: Float = 1

    /// The item vector, or nil when the item has neither text nor reviews with a vector.
    public static func combine(text: [Float]?, reviewSum: [Float]?, reviewCount: Int) -> [Float]? {
        var out: [Float]?
        if let text {
            var v = text
            for i in v.indices { v[i] *= textWeight }
            out = v
        }
        if let reviewSum, reviewCount > 0 {
            let w = reviewWeight / Float(reviewCount)
            if out == nil { out = [Float](repeating: 0, count: reviewSum.count) }
            out?.add(reviewSum, times: w)
        }
        guard let v = out, v.contains(where: { $0 != 0 }) else { return nil }
        return v.normalized()
    }
}
