import Foundation
import InterestCore

/// How much each of a user's interests weighed over time: the decayed profile sampled once a
/// week. At a time t an interest weighs Σ over its events up to t of the event's weight (kind,
/// rating, action: `ProfileRule`) × 2^(−(t − event time) / half-life) — the weight the profile
/// would have given it at t. The interests are the ones `terms` finds now (same order).
public struct InterestTimeline: Sendable, Equatable {
    /// Sample times (Unix seconds), oldest first, a week apart; the last is the user's newest event.
    public var times: [Int64]
    /// `weights[j][s]`: interest j's decayed weight at `times[s]` (j as in `UserInterestTerms.interests`).
    public var weights: [[Double]]
    /// The profile rule's half-life, days.
    public var halfLifeDays: Double
}

/// A user's interest terms and their interests' weight over time, from one reading of the
/// user's rows (`InterestMiner.interestProfile`).
public struct UserInterestProfile: Sendable {
    public var terms: UserInterestTerms
    /// nil when the user has no interests (no evidence: `terms.note` says why).
    public var timeline: InterestTimeline?
}

extension Serving {
    static let secondsPerWeek: Int64 = 7 * 86_400

    /// `terms(user:)` with the default settings and `top` terms, plus each interest's decayed
    /// weight sampled weekly over the user's history (at most `weeks` samples, the newest ones).
    /// Reads the user's rows only, as `terms` does.
    /// - Complexity: O(points × samples) beyond `terms`.
    public func interestProfile(user: String, top: Int, weeks: Int) throws(InterestMinerError) -> UserInterestProfile {
        let context = try termsContext()
        let options = TermsOptions(top: top)
        switch try termsBasis(user: user, options: options, context: context) {
        case .answered(let answer):
            return UserInterestProfile(terms: answer, timeline: nil)
        case .basis(let basis):
            let answer = try finishTerms(basis, next: context.next, options: options, context: context)
            return UserInterestProfile(terms: answer, timeline: Self.timeline(basis, rule: context.rule, weeks: weeks))
        }
    }

    /// The weekly samples of each interest's decayed weight (see `InterestTimeline`).
    static func timeline(_ basis: TermsBasis, rule: ProfileRule, weeks: Int) -> InterestTimeline {
        var pointTime = [Int64](repeating: 0, count: basis.points)
        for (event, point) in basis.pointOf where point < pointTime.count && event < basis.events.count {
            pointTime[point] = basis.events[event].timestamp
        }
        let newest = pointTime.max() ?? 0
        let oldest = pointTime.min() ?? newest
        let span = Int((newest - oldest) / secondsPerWeek) + 1
        let count = max(1, min(weeks, span))
        let times = (0..<count).map { s in newest - Int64(count - 1 - s) * secondsPerWeek }
        let rate = rule.decayRate
        var weights = [[Double]](repeating: [Double](repeating: 0, count: count), count: basis.interests.count)
        for point in 0..<min(basis.points, basis.rawWeights.count, basis.clusterOf.count) {
            let j = basis.clusterOf[point]
            guard j < weights.count else { continue }
            for (s, t) in times.enumerated() where pointTime[point] <= t {
                weights[j][s] += basis.rawWeights[point] * exp(-rate * Double(t - pointTime[point]))
            }
        }
        return InterestTimeline(times: times, weights: weights, halfLifeDays: rule.halfLifeDays)
    }
}
