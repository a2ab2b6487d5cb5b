import CorpusGeneration
import Foundation
import Testing

/// Worlds at the edges of the accepted configuration range.
extension CorpusGeneratorTests {
    @Test("an all-English world has no Chinese text; an all-Chinese world has only Chinese text")
    func singleLanguageWorlds() throws {
        let english = try GeneratedWorld(CorpusConfiguration(seed: 3, users: 20, items: 64, chineseUserShare: 0))
        #expect(english.truths.allSatisfy { $0.language == "en" })
        #expect(english.events.allSatisfy { !containsCJK(($0.text ?? "") + ($0.title ?? "")) })

        let chinese = try GeneratedWorld(CorpusConfiguration(seed: 3, users: 20, items: 64, chineseUserShare: 1))
        #expect(chinese.truths.allSatisfy { $0.language == "zh" })
        #expect(chinese.events.filter { $0.type == "item" }.allSatisfy { $0.language == "zh" })
        #expect(chinese.events.filter { $0.type == "review" || $0.type == "query" }.allSatisfy {
            containsCJK($0.text ?? "")
        })
    }

    @Test("the smallest world still honours every invariant")
    func smallestWorld() throws {
        let configuration = CorpusConfiguration(
            seed: 11, users: 5, items: CorpusGenerator.minimumItems, startTimestamp: 0, days: 30, meanSessionsPerUser: 1)
        let world = try GeneratedWorld(configuration)
        #expect(world.events.filter { $0.type == "item" }.count == CorpusGenerator.minimumItems)
        #expect(Set(world.events.compactMap(\.category)).count == CorpusGenerator.categoryNames.count)
        let end = Int64(30 * 86_400)
        for (user, events) in world.eventsByUser {
            let times = events.compactMap(\.timestamp)
            #expect(times.allSatisfy { $0 >= 0 && $0 < end }, "\(user)")
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "\(user)")
        }
        let touched = world.eventsByUser.mapValues { Set($0.compactMap(\.item)) }
        for truth in world.truths {
            #expect(truth.futurePurchases.allSatisfy { touched[truth.user]?.contains($0) != true })
        }
    }

    @Test("item ids widen to fit the item count; user ids keep at least six digits")
    func idWidths() throws {
        let generator = try CorpusGenerator(configuration: CorpusConfiguration(users: 2, items: 100_000))
        var first = ""
        var firstUserLine = ""
        var count = 0
        _ = generator.generate(
            event: { line in
                if count == 0 { first = line }
                if firstUserLine.isEmpty, line.contains("\"user\"") { firstUserLine = line }
                count += 1
            }, truth: { _ in })
        #expect(first.hasPrefix("{\"type\":\"item\",\"item\":\"P000001\""))
        #expect(firstUserLine.contains("\"user\":\"u000001\""))
    }

    @Test("a sink error stops generation and is rethrown")
    func sinkErrorsPropagate() throws {
        struct Stop: Error {}
        let generator = try CorpusGenerator(configuration: CorpusConfiguration(users: 3, items: 64))
        var seen = 0
        #expect(throws: Stop.self) {
            _ = try generator.generate(
                event: { _ in
                    seen += 1
                    if seen == 10 { throw Stop() }
                }, truth: { _ in })
        }
        #expect(seen == 10)
    }
}
