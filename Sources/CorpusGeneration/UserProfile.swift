import InterestCore

/// One planted interest of a user: a topic plus the brand, colour and material the user
/// prefers within it, when it starts and how much of the user's activity it drives.
struct PlantedInterest: Sendable {
    /// Index into `Vocabulary.categories`.
    let category: Int
    /// Index into `Vocabulary.topics`.
    let topic: Int
    /// Index into the category's brands.
    let brand: Int
    /// Index into `Vocabulary.colours`.
    let colour: Int
    /// Index into the category's materials.
    let material: Int
    /// Unix time from which the user is into this topic.
    let since: Int64
    /// Share of the user's in-interest sessions, in percent (a user's weights sum to 100).
    let weightPercent: Int
}

/// Who a user is: language and planted interests (ordered by `since`).
struct UserProfile: Sendable {
    let index: Int
    let language: Language
    let interests: [PlantedInterest]

    /// Topic indices of each category, in `Vocabulary.topics` order.
    static let topicsByCategory: [[Int]] = {
        var result = [[Int]](repeating: [], count: Vocabulary.categories.count)
        for (index, entry) in Vocabulary.topics.enumerated() {
            result[entry.category].append(index)
        }
        return result
    }()

    /// Draws a user: Chinese with probability `chineseUserShare`; 1, 2 or 3 interests
    /// (45 / 35 / 20 %) in distinct categories. The first interest starts within the first
    /// three weeks, later ones anywhere in the first 60 % of the period. Preferred brand,
    /// colour and material mostly come from a popular item the user can read (people come to
    /// like what they can buy), otherwise they are uniform.
    static func make(
        index: Int, configuration: CorpusConfiguration, catalogue: Catalogue, random: inout SeededRandom
    ) -> UserProfile {
        let language: Language = random.chance(configuration.chineseUserShare) ? .chinese : .english
        let draw = random.nextUnit()
        let count = draw < 0.45 ? 1 : (draw < 0.80 ? 2 : 3)

        var categories = Array(0..<Vocabulary.categories.count)
        for slot in 0..<count {
            let swapWith = slot + random.next(below: categories.count - slot)
            categories.swapAt(slot, swapWith)
        }

        let periodSeconds = configuration.days * 86_400
        let earlyWindow = min(21 * 86_400, periodSeconds / 4)
        let lateWindow = periodSeconds * 3 / 5
        var drafts: [(category: Int, topic: Int, brand: Int, colour: Int, material: Int, since: Int64, raw: Int)] = []
        for slot in 0..<count {
            let category = categories[slot]
            let vocabulary = Vocabulary.categories[category]
            let topics = topicsByCategory[category]
            let topic = topics[random.next(below: topics.count)]
            let offset = slot == 0 ? random.next(below: earlyWindow) : random.next(below: lateWindow)
            var brand = random.next(below: vocabulary.brands.count)
            var colour = random.next(below: Vocabulary.colours.count)
            var material = random.next(below: vocabulary.materials.count)
            if let favourite = catalogue.samplePopular(
                catalogue.items(topic: topic, language: language), using: &random)
            {
                let item = catalogue.items[Int(favourite)]
                if random.chance(0.85) { brand = Int(item.brand) }
                if random.chance(0.75) { colour = Int(item.colour) }
                if random.chance(0.8) { material = Int(item.material) }
            }
            drafts.append(
                (
                    category, topic, brand, colour, material,
                    configuration.startTimestamp + Int64(offset),
                    20 + random.next(below: 61)
                ))
        }
        // Earliest interest first (ties keep draw order).
        let order = drafts.indices.sorted {
            drafts[$0].since != drafts[$1].since ? drafts[$0].since < drafts[$1].since : $0 < $1
        }
        let rawTotal = drafts.reduce(0) { $0 + $1.raw }
        var percents = drafts.map { $0.raw * 100 / rawTotal }
        var largest = 0
        for candidate in percents.indices where percents[candidate] > percents[largest] {
            largest = candidate
        }
        percents[largest] += 100 - percents.reduce(0, +)

        let interests = order.map { slot in
            let draft = drafts[slot]
            return PlantedInterest(
                category: draft.category, topic: draft.topic, brand: draft.brand,
                colour: draft.colour, material: draft.material, since: draft.since,
                weightPercent: percents[slot])
        }
        return UserProfile(index: index, language: language, interests: interests)
    }

    /// The interest's terms in the user's language: the topic's products, then its uses.
    func terms(of interest: PlantedInterest) -> [String] {
        let topic = Vocabulary.topics[interest.topic].vocabulary
        return (0..<topic.termCount).map { topic.term($0, language) }
    }

    func brand(of interest: PlantedInterest) -> String {
        Vocabulary.categories[interest.category].brands[interest.brand][language]
    }

    func colour(of interest: PlantedInterest) -> String {
        Vocabulary.colours[interest.colour][language]
    }

    func material(of interest: PlantedInterest) -> String {
        Vocabulary.categories[interest.category].materials[interest.material][language]
    }

    /// Every planted term: each interest's terms, brand, colour and material, lower-cased and
    /// de-duplicated, in interest order.
    func plantedTerms() -> [String] {
        var result: [String] = []
        for interest in interests {
            let candidates = terms(of: interest) + [brand(of: interest), colour(of: interest), material(of: interest)]
            for term in candidates {
                let lowered = term.lowercased()
                if !result.contains(lowered) { result.append(lowered) }
            }
        }
        return result
    }
}
