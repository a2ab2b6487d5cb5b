import CorpusGeneration
import Foundation
import Testing

/// Checks of the ground truth against the events it describes.
extension CorpusGeneratorTests {
    @Test("every user has 1-3 interests in distinct categories, sensible times and weights")
    func interestsArePlausible() throws {
        let world = try GeneratedWorld.defaults.get()
        let start = world.configuration.startTimestamp
        let end = start + Int64(world.configuration.days) * 86_400
        var interestCounts: [Int: Int] = [:]
        var lateInterests = 0
        for truth in world.truths {
            #expect((1...3).contains(truth.interests.count))
            interestCounts[truth.interests.count, default: 0] += 1
            #expect(Set(truth.interests.map(\.category)).count == truth.interests.count, "\(truth.user)")
            #expect(truth.interests.allSatisfy { CorpusGenerator.categoryNames.contains($0.category) })
            let weight = truth.interests.reduce(0) { $0 + $1.weight }
            #expect(abs(weight - 1) < 0.001, "\(truth.user) weights sum to \(weight)")
            let since = truth.interests.map(\.since)
            #expect(since == since.sorted())
            #expect(since.allSatisfy { $0 >= start && $0 < end })
            #expect(since[0] < start + 21 * 86_400, "first interest of \(truth.user) starts late")
            lateInterests += since.dropFirst().filter { $0 > start + 60 * 86_400 }.count
            for interest in truth.interests {
                #expect((8...14).contains(interest.terms.count))
            }
        }
        #expect(interestCounts[1, default: 0] > interestCounts[3, default: 0])
        #expect(interestCounts[2, default: 0] > 0 && interestCounts[3, default: 0] > 0)
        #expect(lateInterests > 0, "some interests should begin later in the year")
    }

    @Test("planted_terms is the lower-cased, de-duplicated union of the interests' words")
    func plantedTermsAreTheUnion() throws {
        let world = try GeneratedWorld.defaults.get()
        for truth in world.truths {
            var expected: [String] = []
            for interest in truth.interests {
                for term in interest.terms + [interest.brand, interest.colour, interest.material] {
                    let lowered = term.lowercased()
                    if !expected.contains(lowered) { expected.append(lowered) }
                }
            }
            #expect(truth.plantedTerms == expected, "\(truth.user)")
            for term in truth.plantedTerms {
                if truth.language == "zh" {
                    #expect(containsCJK(term) && term.count >= 2, "\(truth.user): \(term) is not a Chinese word")
                } else {
                    #expect(!containsCJK(term), "\(truth.user): \(term)")
                }
            }
        }
        #expect(world.truths.contains { $0.language == "zh" } && world.truths.contains { $0.language == "en" })
    }

    @Test("each planted term occurs in the user's own texts or touched item titles, most several times")
    func plantedTermsAreWritten() throws {
        let world = try GeneratedWorld.defaults.get()
        let items = world.itemsByID
        let eventsByUser = world.eventsByUser
        var total = 0
        var repeated = 0
        for truth in world.truths {
            let events = eventsByUser[truth.user] ?? []
            var corpus = ""
            var touched: Set<String> = []
            for event in events {
                if let text = event.text { corpus += text.lowercased() + "\n" }
                if let item = event.item { touched.insert(item) }
            }
            for item in touched.sorted() {
                corpus += (items[item]?.title ?? "").lowercased() + "\n"
            }
            for term in truth.plantedTerms {
                let occurrences = corpus.components(separatedBy: term).count - 1
                #expect(occurrences > 0, "\(truth.user) never mentions planted term '\(term)'")
                total += 1
                if occurrences >= 2 { repeated += 1 }
            }
        }
        #expect(Double(repeated) >= 0.6 * Double(total), "only \(repeated) of \(total) planted terms occur twice")
    }

    @Test("future purchases are real items the user has no event on")
    func futurePurchasesAreUnseen() throws {
        let world = try GeneratedWorld.defaults.get()
        let items = world.itemsByID
        let eventsByUser = world.eventsByUser
        var usersWithFuture = 0
        for truth in world.truths {
            #expect(Set(truth.futurePurchases).count == truth.futurePurchases.count)
            if !truth.futurePurchases.isEmpty { usersWithFuture += 1 }
            let touched = Set((eventsByUser[truth.user] ?? []).compactMap(\.item))
            for item in truth.futurePurchases {
                #expect(items[item] != nil, "unknown future item \(item)")
                #expect(!touched.contains(item), "\(truth.user) already has events on future item \(item)")
            }
        }
        #expect(usersWithFuture > world.truths.count / 4)
    }

    @Test("noise: low-rated complaints and purchases outside the user's interests exist")
    func noiseIsPresent() throws {
        let world = try GeneratedWorld.defaults.get()
        let items = world.itemsByID
        let interestsByUser = Dictionary(uniqueKeysWithValues: world.truths.map { ($0.user, Set($0.interests.map(\.category))) })
        let reviews = world.events.filter { $0.type == "review" }
        let lowRated = reviews.filter { ($0.rating ?? 5) <= 2 }
        #expect(!lowRated.isEmpty)
        #expect(reviews.filter { ($0.rating ?? 0) >= 4 }.count > reviews.count / 2)
        let offInterestPurchases = world.events.filter { event in
            guard event.action == "purchase", let user = event.user, let item = event.item,
                let category = items[item]?.category
            else { return false }
            return interestsByUser[user]?.contains(category) == false
        }
        #expect(!offInterestPurchases.isEmpty)
        let purchases = world.events.filter { $0.action == "purchase" }.count
        #expect(offInterestPurchases.count < purchases / 5, "off-interest activity should stay a small share")
    }
}
