import Foundation
import InterestCore
@testable import InterestServer
import Synchronization
import Testing

/// The shop page's counts come from a count taken off the request path: kept while fresh,
/// taken again once old, one at a time, and a slow count never holds a page.
@Suite struct ShopCountsTests {
    static func stats(users: Int) -> DatabaseStats {
        DatabaseStats(users: users, items: 2, describedItems: 0, reviews: 1, queries: 1, interactions: 1, interactionsByAction: [:],
                      firstTimestamp: nil, lastTimestamp: nil, fileBytes: 0, models: [:])
    }

    @Test func aFreshCountIsKeptAndAnOldOneTakenAgain() throws {
        let calls = Atomic<Int>(0)
        let counts = ShopCounts(maxAge: .seconds(3600)) { Self.stats(users: calls.add(1, ordering: .relaxed).newValue) }
        let first = counts.view()
        #expect(first.taken?.stats.users == 1, "a quick first count is waited for")
        #expect(first.countingSince == nil)
        #expect(counts.view().taken?.stats.users == 1)
        #expect(calls.load(ordering: .relaxed) == 1, "kept while fresh")

        let always = ShopCounts(maxAge: .zero) { Self.stats(users: calls.add(1, ordering: .relaxed).newValue) }
        _ = always.view()
        let before = calls.load(ordering: .relaxed)
        _ = always.view()
        Thread.sleep(forTimeInterval: 0.2)
        #expect(calls.load(ordering: .relaxed) == before + 1, "an old count is taken again")
        #expect(always.view().taken?.stats.users ?? 0 >= before)
    }

    @Test func aSlowCountNeverHoldsAPage() throws {
        let release = DispatchSemaphore(value: 0)
        let calls = Atomic<Int>(0)
        let counts = ShopCounts(maxAge: .seconds(3600), firstWait: .milliseconds(100)) {
            calls.add(1, ordering: .relaxed)
            release.wait()
            return Self.stats(users: 7)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let first = counts.view()
        #expect(clock.now - start < .seconds(5))
        #expect(first.taken == nil && first.countingSince != nil, "the page says counting has begun")
        let second = counts.view()
        #expect(second.taken == nil && second.countingSince != nil)
        #expect(calls.load(ordering: .relaxed) == 1, "one count at a time")
        release.signal()
        let deadline = clock.now + .seconds(10)
        while counts.view().taken == nil, clock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(counts.view().taken?.stats.users == 7)
        #expect(calls.load(ordering: .relaxed) == 1)
    }

    @Test func aFailedCountIsShownAndTriedAgain() throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk on fire" } }
        let fail = Atomic<Bool>(true)
        let counts = ShopCounts(maxAge: .zero) {
            if fail.load(ordering: .relaxed) { throw Broken() }
            return Self.stats(users: 3)
        }
        let failed = counts.view()
        #expect(failed.taken == nil && failed.failure == "disk on fire")
        let html = ShopPage.counts(failed).raw
        #expect(html.contains("could not be counted: disk on fire"))
        fail.store(false, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(10)
        var view = counts.view()
        while view.taken == nil, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            view = counts.view()
        }
        #expect(view.taken?.stats.users == 3)
        #expect(ShopPage.counts(view).raw.contains("Counted at"))
    }
}

/// Space-Saving counts, traced by hand.
@Suite struct RecommendedToTests {
    @Test func theTopUsersAndTheirBoundsAreKept() {
        let tally = RecommendedTo()
        for _ in 0..<5 { tally.record(user: "a", items: ["P1", "P2"]) }
        for _ in 0..<3 { tally.record(user: "b", items: ["P1"]) }
        // Six more users fill the eight counters; the ninth and tenth replace the first of the
        // smallest (c, then d), inheriting their count as possible over-count.
        for user in ["c", "d", "e", "f", "g", "h", "i", "j"] { tally.record(user: user, items: ["P1"]) }
        let top = tally.top(of: "P1")
        #expect(top.map(\.user) == ["a", "b", "i", "j", "e", "f", "g", "h"])
        #expect(top.map(\.count) == [5, 3, 2, 2, 1, 1, 1, 1])
        #expect(top.map(\.error) == [0, 0, 1, 1, 0, 0, 0, 0])
        #expect(tally.top(of: "P2") == [RecommendedTo.Counter(user: "a", count: 5, error: 0)])
        #expect(tally.top(of: "P9").isEmpty)
        // A user with more than a capacity-th of the item's showings is never pushed out: a
        // holds 30 of 91.
        for _ in 0..<25 { tally.record(user: "a", items: ["P1"]) }
        for k in 0..<50 { tally.record(user: "x\(k)", items: ["P1"]) }
        #expect(tally.top(of: "P1").first == RecommendedTo.Counter(user: "a", count: 30, error: 0))
        #expect(tally.top(of: "P1").count == RecommendedTo.capacity)
    }
}
