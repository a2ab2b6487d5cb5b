import Foundation
import Testing
@testable import InterestCore

@Suite struct ProfileRuleTests {
    let rule = ProfileRule()
    let day: Int64 = 86_400

    @Test func oneHalfLifeHalvesAnEvent() {
        var p = DecayedSum(dimension: 2)
        p.add([1, 0], weight: 1, at: 1_000, rate: rule.decayRate)
        p.add([0, 1], weight: 1, at: 1_000 + 90 * day, rate: rule.decayRate)
        #expect(abs(p.weight - 1.5) < 1e-12)
        #expect(abs(p.sum[0] - 0.5) < 1e-12 && abs(p.sum[1] - 1) < 1e-12)
        #expect(p.timestamp == 1_000 + 90 * day && p.events == 2)
        // Seen 90 days later, the total weight halves again.
        #expect(abs(p.weight(at: 1_000 + 180 * day, rate: rule.decayRate) - 0.75) < 1e-12)
        let d = p.direction!
        #expect(abs(Double(d[0]) - 0.5 / sqrt(1.25)) < 1e-6)
    }

    @Test func orderOfArrivalDoesNotMatter() {
        let events: [([Float], Double, Int64)] = [([1, 0, 0], 1, 0), ([0, 1, 0], 0.4, 3 * day), ([0, 0, 1], 0.8, 200 * day), ([1, 1, 0], 0.2, 50 * day)]
        var inOrder = DecayedSum(dimension: 3)
        for (v, w, t) in events.sorted(by: { $0.2 < $1.2 }) { inOrder.add(v, weight: w, at: t, rate: rule.decayRate) }
        var shuffled = DecayedSum(dimension: 3)
        for (v, w, t) in [events[2], events[0], events[3], events[1]] { shuffled.add(v, weight: w, at: t, rate: rule.decayRate) }
        #expect(inOrder.timestamp == shuffled.timestamp)
        #expect(abs(inOrder.weight - shuffled.weight) < 1e-12)
        for k in 0..<3 { #expect(abs(inOrder.sum[k] - shuffled.sum[k]) < 1e-12) }
        // And equal to the closed form Σ w·e^(−λ(T − t))·v.
        let T = 200 * day
        let x = 1 * exp(-rule.decayRate * Double(T)) + 0.2 * exp(-rule.decayRate * Double(T - 50 * day))
        #expect(abs(inOrder.sum[0] - x) < 1e-12)
    }

    @Test func ratingsAndActionsWeighEvents() {
        let v: [Float] = [1, 0]
        #expect(rule.contribution(.review, own: v, item: v, rating: 1, action: nil) == nil, "a complaint is no interest")
        #expect(rule.contribution(.review, own: v, item: v, rating: 2, action: nil) == nil)
        #expect(rule.contribution(.review, own: v, item: nil, rating: 5, action: nil)?.1 == 1)
        #expect(rule.contribution(.review, own: v, item: nil, rating: 3, action: nil)?.1 == 0.3)
        #expect(rule.contribution(.review, own: v, item: nil, rating: nil, action: nil)?.1 == 0.6)
        #expect(rule.contribution(.interaction, own: nil, item: v, rating: nil, action: .purchase)?.1 == 1)
        #expect(rule.contribution(.interaction, own: nil, item: v, rating: 1, action: .rate) == nil)
        #expect(rule.contribution(.interaction, own: nil, item: nil, rating: nil, action: .view) == nil, "no vector, no contribution")
        let views = [Action.view, .click, .cart, .purchase].map { rule.interaction($0, rating: nil) }
        #expect(views == views.sorted() && Set(views).count == 4)
        // A review pulls toward its item's text and its own words equally.
        let (r, _) = rule.contribution(.review, own: [1, 0], item: [0, 1], rating: 5, action: nil)!
        #expect(abs(r[0] - r[1]) < 1e-6 && abs(r[0] * r[0] + r[1] * r[1] - 1) < 1e-5)
    }

    @Test func badSettingsAreNamed() {
        var r = ProfileRule()
        #expect(r.problem == nil)
        r.halfLifeDays = 0
        #expect(r.problem?.contains("half-life") == true)
        r = ProfileRule()
        r.reviewByStars = [1, 2]
        #expect(r.problem?.contains("six") == true)
        r = ProfileRule()
        r.view = -1
        #expect(r.problem?.contains("view") == true)
    }

    @Test func doubleBlobsRoundTrip() {
        let v = [0.1, -2.5e-300, .pi, 1e300]
        #expect(DoubleVectorBlob.decode(DoubleVectorBlob.encode(v)) == v)
        #expect(DoubleVectorBlob.decode([1, 2, 3]) == nil)
    }
}
