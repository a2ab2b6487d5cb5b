import CorpusGeneration
import Foundation
import Testing

@Suite("CorpusConfiguration validation")
struct CorpusConfigurationTests {
    @Test("defaults are the committed demo corpus settings")
    func defaults() {
        let configuration = CorpusConfiguration()
        #expect(configuration.seed == 42)
        #expect(configuration.users == 800)
        #expect(configuration.items == 480)
        #expect(configuration.chineseUserShare == 0.3)
        #expect(configuration.startTimestamp == 1_735_689_600)
        #expect(configuration.days == 365)
        #expect(configuration.meanSessionsPerUser == 8)
    }

    static let invalid: [(String, CorpusConfiguration)] = [
        ("users", CorpusConfiguration(users: 0)),
        ("users", CorpusConfiguration(users: 10_000_001)),
        ("items", CorpusConfiguration(items: CorpusGenerator.minimumItems - 1)),
        ("items", CorpusConfiguration(items: 1_000_001)),
        ("chineseUserShare", CorpusConfiguration(chineseUserShare: -0.1)),
        ("chineseUserShare", CorpusConfiguration(chineseUserShare: 1.5)),
        ("chineseUserShare", CorpusConfiguration(chineseUserShare: .nan)),
        ("startTimestamp", CorpusConfiguration(startTimestamp: -1)),
        ("days", CorpusConfiguration(days: 29)),
        ("days", CorpusConfiguration(days: 36_501)),
        ("meanSessionsPerUser", CorpusConfiguration(meanSessionsPerUser: 0.5)),
        ("meanSessionsPerUser", CorpusConfiguration(meanSessionsPerUser: 1001)),
        ("meanSessionsPerUser", CorpusConfiguration(meanSessionsPerUser: .infinity)),
    ]

    @Test("an out-of-range parameter throws invalidParameter naming it", arguments: invalid)
    func invalidParameterIsNamed(name: String, configuration: CorpusConfiguration) {
        do {
            _ = try CorpusGenerator(configuration: configuration)
            Issue.record("expected \(name) to be rejected")
        } catch {
            switch error {
            case let .invalidParameter(reported, value, reason):
                #expect(reported == name)
                #expect(!value.isEmpty && !reason.isEmpty)
            }
            #expect(error.description.contains(name))
            #expect(error.description.contains("between") || error.description.contains("fraction"))
        }
    }

    @Test("the minimum item count covers every category, and boundary values are accepted")
    func boundariesAreAccepted() throws {
        #expect(CorpusGenerator.minimumItems >= CorpusGenerator.categoryNames.count * 2)
        #expect(CorpusGenerator.categoryNames.count >= 10)
        let boundaries = [
            CorpusConfiguration(users: 1, items: CorpusGenerator.minimumItems, chineseUserShare: 0, days: 30,
                meanSessionsPerUser: 1),
            CorpusConfiguration(users: 3, items: CorpusGenerator.minimumItems, chineseUserShare: 1, startTimestamp: 0),
        ]
        for configuration in boundaries {
            let generator = try CorpusGenerator(configuration: configuration)
            #expect(generator.configuration == configuration)
        }
    }
}
