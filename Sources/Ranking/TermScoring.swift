import Foundation
import InterestCore

/// Scores a user's candidate interest terms: how close each is to the interest it belongs to,
/// blended with how distinctive it is for this user against the whole shop, plus where the
/// user's history points next.
///
///     score = (1 − β)·cos(term, interest centroid) + β·tanh(z / s)
///
/// for the user's own terms. z is the smoothed log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
/// Quinn 2008, "Fightin' Words"), user against shop: with y the user's (decayed, weighted)
/// evidence for the term, n the user's total event weight, π = (df + ½)/(N + 1) the share of the
/// shop's N texts containing it, and prior α = α₀·π,
///
///     δ = ln((y + α)/(n + α₀ − y − α)) − ln(π/(1 − π)),   σ² = 1/(y + α) + 1/(n + α₀ − y − α),   z = δ/σ.
///
/// A term every review says ("great", "love") has z ≈ 0 or below; a term this user says and the
/// shop rarely does has a large z; the prior keeps a single mention from dominating.
///
/// A term none of the user's events carries but that describes the items they are likely to
/// want next (`next` ∈ (0, 1], the caller's measure; its z is below 0) either leads,
///
///     score = (1 − β)·cos(term, interest centroid) + β·tanh(z / s) + γ·next,
///
/// (`nextLeads`, the default: the best next terms come first), or competes on the user's own
/// terms' scale, its pointing strength standing in for the distinctiveness it cannot have,
///
///     score = (1 − β)·cos(term, interest centroid) + β·min(1, γ·next),
///
/// so that it ranks above the user's own words only when it is as close to their interest and
/// pointed to as firmly as those are distinctive — a word of the neighbouring items' reviews that
/// says nothing about the interest ("respect", "doesn't match") stays below them. Which one a
/// shop gets is chosen by validation (`NextTermSettings`). Defaults
/// β = 0.5, s = 2, α₀ = 10, γ = 1. Terms with z ≤ 0 are dropped unless they have `next`, and so
/// is a word when a phrase containing it has at least half its evidence ("fly rod" rather than
/// "rod").
public struct TermScoring: Sendable {
    public struct Settings: Sendable, Equatable, Codable {
        public var blend = 0.5
        public var zScale = 2.0
        public var priorStrength = 10.0
        /// γ, the weight of `next` (a term without evidence).
        public var nextWeight = 1.0
        /// Next terms lead (the additive form) rather than compete on the own terms' scale.
        public var nextLeads = true

        public init() {}
    }

    /// A term found in the user's events.
    public struct Candidate: Sendable {
        public let term: String
        public let isPhrase: Bool
        /// The term's semantic vector (nil: unknown to the encoder).
        public let vector: [Float]?
        /// Shop texts containing it.
        public let documentFrequency: Int
        /// Σ of the (decayed) weights of the user's events containing it.
        public let weight: Double
        /// How many of the user's events contain it.
        public let evidence: Int
        /// Its weight per interest (parallel to the interests).
        public let perInterest: [Double]
        /// How strongly it describes what the user is likely to want next, 0…1.
        public let next: Double

        public init(term: String, isPhrase: Bool, vector: [Float]?, documentFrequency: Int, weight: Double, evidence: Int, perInterest: [Double],
                    next: Double = 0) {
            self.next = next
            self.term = term
            self.isPhrase = isPhrase
            self.vector = vector
            self.documentFrequency = documentFrequency
            self.weight = weight
            self.evidence = evidence
            self.perInterest = perInterest
        }
    }

    public struct Scored: Sendable, Equatable, Codable {
        public let term: String
        public let score: Double
        public let closeness: Double
        public let distinctiveness: Double
        public let next: Double
        public let evidence: Int
        /// Index of the interest it belongs to.
        public let interest: Int
    }

    public let settings: Settings

    public init(_ settings: Settings = Settings()) {
        self.settings = settings
    }

    /// z of a term: user evidence `y` of total `n` against `df` of the shop's `documents` texts.
    public func distinctiveness(y: Double, n: Double, df: Int, documents: Int) -> Double {
        let pi = (Double(df) + 0.5) / (Double(max(documents, df)) + 1)
        let a0 = settings.priorStrength
        let alpha = a0 * pi
        let inside = y + alpha
        let outside = max(n + a0 - y - alpha, 1e-9)
        let delta = log(inside / outside) - log(pi / (1 - pi))
        return delta / (1 / inside + 1 / outside).squareRoot()
    }

    /// The scored terms, best first (ties: more evidence, then alphabetical). When no term is
    /// distinctive (a user who only ever wrote "five stars"), the user's terms are still listed,
    /// by the same score, rather than none.
    public func score(_ candidates: [Candidate], interests: [[Float]], userWeight n: Double, documents: Int) -> [Scored] {
        let z = candidates.map { distinctiveness(y: $0.weight, n: n, df: $0.documentFrequency, documents: documents) }
        let anyDistinctive = z.contains { $0 > 0 }
        var scored: [Scored] = []
        for (c, z) in zip(candidates, z) {
            guard z > 0 || c.next > 0 || !anyDistinctive else { continue }
            var interest = 0
            for (k, w) in c.perInterest.enumerated() where w > c.perInterest[interest] { interest = k }
            var closeness = 0.0
            if let v = c.vector, interest < interests.count, interests[interest].count == v.count {
                closeness = Double(v.dot(interests[interest]))
            }
            let s: Double
            if c.next > 0 && c.evidence == 0 && !settings.nextLeads {
                s = (1 - settings.blend) * closeness + settings.blend * min(1, settings.nextWeight * c.next)
            } else {
                s = (1 - settings.blend) * closeness + settings.blend * tanh(z / settings.zScale) + settings.nextWeight * c.next
            }
            scored.append(Scored(term: c.term, score: s, closeness: closeness, distinctiveness: z, next: c.next, evidence: c.evidence, interest: interest))
        }
        let phraseSet = Set(candidates.filter(\.isPhrase).map(\.term))
        scored.sort { a, b in
            a.score != b.score ? a.score > b.score : (a.evidence != b.evidence ? a.evidence > b.evidence : a.term < b.term)
        }
        // A word inside a phrase the user also says (with at least half the word's evidence) is
        // left to the phrase: "fly rod", not "rod".
        var phraseEvidence: [Substring: Int] = [:]
        var cjkPhrases: [(String, Int)] = []
        for s in scored where phraseSet.contains(s.term) {
            if s.term.contains(" ") {
                for w in s.term.split(separator: " ") { phraseEvidence[w] = max(phraseEvidence[w] ?? 0, s.evidence) }
            } else {
                cjkPhrases.append((s.term, s.evidence))
            }
        }
        var kept: [Scored] = []
        for s in scored {
            if !phraseSet.contains(s.term) {
                let inside = [phraseEvidence[Substring(s.term)]].compactMap { $0 } + cjkPhrases.filter { $0.0.contains(s.term) }.map(\.1)
                if let best = inside.max(), 2 * best >= s.evidence { continue }
            }
            kept.append(s)
        }
        return kept
    }

    /// The `top` terms to show from `scored` (best first): half the list is shared among the
    /// user's interests in proportion to their current `shares` (at least one term each), so a
    /// minor interest still shows; the rest go by score. Returned in score order. A user with
    /// one interest gets exactly `scored.prefix(top)`.
    public static func diversified(_ scored: [Scored], top: Int, shares: [Double]) -> [Scored] {
        guard top > 0 else { return [] }
        guard shares.count > 1 else { return Array(scored.prefix(top)) }
        var chosen = Set<Int>()
        for (j, share) in shares.enumerated() where share > 0 {
            let quota = max(1, Int((Double(top) * share / 2).rounded(.down)))
            var taken = 0
            for (k, s) in scored.enumerated() where s.interest == j && taken < quota && chosen.count < top {
                chosen.insert(k)
                taken += 1
            }
        }
        for k in scored.indices where chosen.count < top { chosen.insert(k) }
        return chosen.sorted().map { scored[$0] }
    }
}
