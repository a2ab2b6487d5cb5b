import CorpusGeneration
import Foundation

/// One parsed event line.
struct EventRecord: Sendable {
    let line: String
    let type: String
    let user: String?
    let item: String?
    let action: String?
    let rating: Int?
    let text: String?
    let title: String?
    let category: String?
    let language: String?
    let timestamp: Int64?
}

/// One planted interest of a ground-truth line.
struct InterestRecord: Sendable {
    let category: String
    let topic: String
    let terms: [String]
    let brand: String
    let colour: String
    let material: String
    let since: Int64
    let weight: Double
}

/// One parsed ground-truth line.
struct TruthRecord: Sendable {
    let line: String
    let user: String
    let language: String
    let interests: [InterestRecord]
    let plantedTerms: [String]
    let futurePurchases: [String]
}

enum FixtureError: Error {
    case notJSONObject(String)
    case missing(field: String, line: String)
}

/// A generated world: its raw lines, summary, and the lines parsed with JSONSerialization.
struct GeneratedWorld: Sendable {
    let configuration: CorpusConfiguration
    let summary: CorpusSummary
    let eventLines: [String]
    let truthLines: [String]
    let events: [EventRecord]
    let truths: [TruthRecord]

    /// The default world (800 users, 480 items), generated once for all tests.
    static let defaults: Result<GeneratedWorld, any Error> = Result { try GeneratedWorld(CorpusConfiguration()) }

    /// A small world for cheap checks.
    static let small: Result<GeneratedWorld, any Error> = Result {
        try GeneratedWorld(CorpusConfiguration(seed: 7, users: 50, items: 120))
    }

    init(_ configuration: CorpusConfiguration) throws {
        self.configuration = configuration
        let generator = try CorpusGenerator(configuration: configuration)
        var eventLines: [String] = []
        var truthLines: [String] = []
        summary = generator.generate(event: { eventLines.append($0) }, truth: { truthLines.append($0) })
        self.eventLines = eventLines
        self.truthLines = truthLines
        events = try eventLines.map(GeneratedWorld.parseEvent)
        truths = try truthLines.map(GeneratedWorld.parseTruth)
    }

    /// Items by id.
    var itemsByID: [String: EventRecord] {
        var result: [String: EventRecord] = [:]
        for event in events where event.type == "item" {
            if let item = event.item { result[item] = event }
        }
        return result
    }

    /// Each user's events in stream order.
    var eventsByUser: [String: [EventRecord]] {
        var result: [String: [EventRecord]] = [:]
        for event in events where event.type != "item" {
            if let user = event.user { result[user, default: []].append(event) }
        }
        return result
    }

    static func object(_ line: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw FixtureError.notJSONObject(line)
        }
        return object
    }

    static func parseEvent(_ line: String) throws -> EventRecord {
        let object = try object(line)
        guard let type = object["type"] as? String else { throw FixtureError.missing(field: "type", line: line) }
        return EventRecord(
            line: line, type: type, user: object["user"] as? String, item: object["item"] as? String,
            action: object["action"] as? String, rating: (object["rating"] as? NSNumber)?.intValue,
            text: object["text"] as? String, title: object["title"] as? String,
            category: object["category"] as? String, language: object["lang"] as? String,
            timestamp: (object["ts"] as? NSNumber)?.int64Value)
    }

    static func parseTruth(_ line: String) throws -> TruthRecord {
        let object = try object(line)
        guard let user = object["user"] as? String, let language = object["language"] as? String,
            let interests = object["interests"] as? [[String: Any]],
            let planted = object["planted_terms"] as? [String],
            let future = object["future_purchases"] as? [String]
        else { throw FixtureError.missing(field: "user/language/interests/planted_terms/future_purchases", line: line) }
        let parsed = try interests.map { interest -> InterestRecord in
            guard let category = interest["category"] as? String, let topic = interest["topic"] as? String,
                let terms = interest["terms"] as? [String], let brand = interest["brand"] as? String,
                let colour = interest["colour"] as? String, let material = interest["material"] as? String,
                let since = (interest["since"] as? NSNumber)?.int64Value,
                let weight = (interest["weight"] as? NSNumber)?.doubleValue
            else { throw FixtureError.missing(field: "interest fields", line: line) }
            return InterestRecord(
                category: category, topic: topic, terms: terms, brand: brand, colour: colour,
                material: material, since: since, weight: weight)
        }
        return TruthRecord(
            line: line, user: user, language: language, interests: parsed, plantedTerms: planted,
            futurePurchases: future)
    }
}

/// True when `text` contains a CJK unified ideograph.
func containsCJK(_ text: String) -> Bool {
    text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) || (0x3400...0x4DBF).contains($0.value) }
}
