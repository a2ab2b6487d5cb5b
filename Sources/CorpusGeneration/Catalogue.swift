import InterestCore

/// One catalogue item, stored compactly; its title and description are rendered on demand
/// from these indices (see `Catalogue+Text.swift`), so a million items stay small in memory.
struct CatalogueItem: Sendable {
    /// Index into `Vocabulary.topics`.
    var topic: Int32
    var language: Language
    /// Index into the category's brands.
    var brand: UInt8
    /// Index into `Vocabulary.colours`.
    var colour: UInt8
    /// Index into the category's materials.
    var material: UInt8
    /// Index into the topic's products (the head of the title).
    var product: UInt8
    /// Index into the topic's uses (mentioned by some titles and descriptions).
    var use: UInt8
    /// Index into the language's title templates.
    var titleTemplate: UInt8
}

/// The item catalogue plus the indexes sessions sample from.
///
/// Items are spread over every topic (topic sizes vary), each topic's items are ranked by a
/// Zipf popularity, brands have house colours and materials, and the catalogue order (and so
/// the item ids) is shuffled so ids do not reveal topics.
struct Catalogue: Sendable {
    let seed: UInt64
    let items: [CatalogueItem]
    /// Width of the zero-padded number in item ids.
    let idWidth: Int
    /// Zipf sampler shared by every list below.
    let harmonic: HarmonicTable
    /// Items per `(topic, language)`, most popular first (key `topicLanguageKey`).
    private let byTopic: [[Int32]]
    /// Items per `(topic, language, brand)`, most popular first.
    private let byBrand: [[Int32]]
    /// Items per `(topic, language, product)`, most popular first.
    private let byProduct: [[Int32]]

    private static let listWidth = Vocabulary.maximumPerList

    init(configuration: CorpusConfiguration) {
        seed = configuration.seed
        idWidth = max(5, JSONLine.digitCount(configuration.items))
        var random = SeededRandom(seed: configuration.seed, stream: CorpusGenerator.catalogueStream)
        let topics = Vocabulary.topics
        let sizes = Catalogue.topicSizes(
            total: configuration.items, topics: topics.count, random: &random)

        let styles = Catalogue.houseStyles(random: &random)

        // Items in topic order, most popular first within each topic.
        var generated: [CatalogueItem] = []
        generated.reserveCapacity(configuration.items)
        for (topicIndex, entry) in topics.enumerated() {
            let count = sizes[topicIndex]
            var languages = Catalogue.languages(
                count: count, share: configuration.chineseUserShare, random: &random)
            random.shuffle(&languages)
            let topic = entry.vocabulary
            let category = Vocabulary.categories[entry.category]
            var productCursor = [
                random.next(below: topic.products.count), random.next(below: topic.products.count),
            ]
            for language in languages {
                let lane = Int(language.rawValue)
                let product = productCursor[lane] % topic.products.count
                productCursor[lane] += 1
                let titleCount = LanguageTemplates.forLanguage(language).titles.count
                let brand = random.next(below: category.brands.count)
                let style = styles[entry.category][brand]
                let colour = random.chance(0.75)
                    ? style.colours[random.next(below: style.colours.count)]
                    : random.next(below: Vocabulary.colours.count)
                let material = random.chance(0.75)
                    ? style.materials[random.next(below: style.materials.count)]
                    : random.next(below: category.materials.count)
                generated.append(
                    CatalogueItem(
                        topic: Int32(topicIndex),
                        language: language,
                        brand: UInt8(brand),
                        colour: UInt8(colour),
                        material: UInt8(material),
                        product: UInt8(product),
                        use: UInt8(random.next(below: topic.uses.count)),
                        titleTemplate: UInt8(random.next(below: titleCount))))
            }
        }

        // Shuffle the catalogue order; `position[g]` is the final index of generated item g.
        var order = Array(0..<generated.count)
        random.shuffle(&order)
        var position = [Int32](repeating: 0, count: generated.count)
        var items: [CatalogueItem] = []
        items.reserveCapacity(generated.count)
        for (finalIndex, generatedIndex) in order.enumerated() {
            position[generatedIndex] = Int32(finalIndex)
            items.append(generated[generatedIndex])
        }

        let width = Catalogue.listWidth
        var byTopic = [[Int32]](repeating: [], count: topics.count * 2)
        var byBrand = [[Int32]](repeating: [], count: topics.count * 2 * width)
        var byProduct = [[Int32]](repeating: [], count: topics.count * 2 * width)
        for (generatedIndex, item) in generated.enumerated() {
            let key = Catalogue.topicLanguageKey(topic: Int(item.topic), language: item.language)
            let index = position[generatedIndex]
            byTopic[key].append(index)
            byBrand[key * width + Int(item.brand)].append(index)
            byProduct[key * width + Int(item.product)].append(index)
        }
        self.items = items
        self.byTopic = byTopic
        self.byBrand = byBrand
        self.byProduct = byProduct
        harmonic = HarmonicTable(maximumCount: max(1, generated.count))
    }

    static func topicLanguageKey(topic: Int, language: Language) -> Int {
        topic * 2 + Int(language.rawValue)
    }

    /// Items of `topic` in `language`, most popular first.
    func items(topic: Int, language: Language) -> [Int32] {
        byTopic[Catalogue.topicLanguageKey(topic: topic, language: language)]
    }

    /// Items of `topic` in `language` by `brand`, most popular first.
    func items(topic: Int, language: Language, brand: Int) -> [Int32] {
        byBrand[Catalogue.topicLanguageKey(topic: topic, language: language) * Catalogue.listWidth + brand]
    }

    /// Items of `topic` in `language` whose title names `product`, most popular first.
    func items(topic: Int, language: Language, product: Int) -> [Int32] {
        byProduct[Catalogue.topicLanguageKey(topic: topic, language: language) * Catalogue.listWidth + product]
    }

    /// A Zipf-popular element of `list` (nil when empty).
    func samplePopular(_ list: [Int32], using random: inout SeededRandom) -> Int32? {
        guard !list.isEmpty else { return nil }
        return list[harmonic.sampleRank(count: list.count, using: &random)]
    }

    /// Each brand's house style: two colours and two materials (distinct) that most of its
    /// items use, indexed `[category][brand]`.
    private static func houseStyles(random: inout SeededRandom) -> [[(colours: [Int], materials: [Int])]] {
        Vocabulary.categories.map { category in
            category.brands.map { _ in
                (
                    distinctPair(below: Vocabulary.colours.count, random: &random),
                    distinctPair(below: category.materials.count, random: &random)
                )
            }
        }
    }

    /// Two distinct integers in `0..<bound` (bound >= 2).
    private static func distinctPair(below bound: Int, random: inout SeededRandom) -> [Int] {
        let first = random.next(below: bound)
        let second = (first + 1 + random.next(below: max(1, bound - 1))) % bound
        return [first, second]
    }

    /// Topic sizes: one item per topic, the rest shared in proportion to random weights in
    /// [0.6, 1.4) (largest remainders first, ties by topic order).
    private static func topicSizes(total: Int, topics: Int, random: inout SeededRandom) -> [Int] {
        var weights: [Double] = []
        var weightSum = 0.0
        for _ in 0..<topics {
            let weight = 0.6 + 0.8 * random.nextUnit()
            weights.append(weight)
            weightSum += weight
        }
        let spare = total - topics
        var sizes = [Int](repeating: 1, count: topics)
        var remainders: [(fraction: Double, topic: Int)] = []
        var assigned = 0
        for topic in 0..<topics {
            let exact = Double(spare) * weights[topic] / weightSum
            let whole = Int(exact)
            sizes[topic] += whole
            assigned += whole
            remainders.append((exact - Double(whole), topic))
        }
        remainders.sort { $0.fraction != $1.fraction ? $0.fraction > $1.fraction : $0.topic < $1.topic }
        var index = 0
        while assigned < spare, !remainders.isEmpty {
            sizes[remainders[index % remainders.count].topic] += 1
            assigned += 1
            index += 1
        }
        return sizes
    }

    /// The languages of a topic's `count` items: about `share` Chinese, and at least one item
    /// per language whenever the topic has two or more items and both languages are in use.
    private static func languages(count: Int, share: Double, random: inout SeededRandom) -> [Language] {
        var chinese: Int
        if share <= 0 {
            chinese = 0
        } else if share >= 1 {
            chinese = count
        } else if count == 1 {
            chinese = random.chance(share) ? 1 : 0
        } else {
            chinese = Int((Double(count) * share).rounded())
            chinese = min(max(chinese, 1), count - 1)
        }
        return [Language](repeating: .chinese, count: chinese)
            + [Language](repeating: .english, count: count - chinese)
    }
}
