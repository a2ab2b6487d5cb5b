/// The two languages of the synthetic world.
enum Language: UInt8, Sendable, Equatable {
    case english = 0
    case chinese = 1

    /// The code written to the `lang` / `language` fields.
    var code: String { self == .english ? "en" : "zh" }

    /// The other language (for the occasional cross-language browse).
    var other: Language { self == .english ? .chinese : .english }
}

/// One word or phrase with its English and Chinese forms (the two describe the same thing, so
/// an item written in one language can be reviewed in the other).
struct Bilingual: Sendable, Equatable {
    let english: String
    let chinese: String

    init(_ english: String, _ chinese: String) {
        self.english = english
        self.chinese = chinese
    }

    subscript(language: Language) -> String {
        language == .english ? english : chinese
    }
}

/// A topic inside a category: its display name and its vocabulary.
///
/// `products` are things sold under the topic (they head item titles); `uses` are what the
/// products are for (activities, targets, effects) and read naturally after "for" / "适合".
/// Products and uses together are the topic's terms, the words planted as a user's interest.
struct TopicVocabulary: Sendable {
    let name: Bilingual
    let products: [Bilingual]
    let uses: [Bilingual]

    /// Number of terms (products first, then uses).
    var termCount: Int { products.count + uses.count }

    /// Term `index` in `language`: products first, then uses.
    func term(_ index: Int, _ language: Language) -> String {
        index < products.count ? products[index][language] : uses[index - products.count][language]
    }
}

/// A product category: its topics, fictional brands and typical materials.
struct CategoryVocabulary: Sendable {
    /// The category key written to item lines and the ground truth (English, lower case).
    let name: String
    let topics: [TopicVocabulary]
    let brands: [Bilingual]
    let materials: [Bilingual]
}

/// A topic together with the index of its category, as laid out in `Vocabulary.topics`.
struct TopicEntry: Sendable {
    let category: Int
    let vocabulary: TopicVocabulary
}

/// The fixed vocabulary of the world. Every word is invented for this corpus or is a common
/// noun; brand names are fictional.
enum Vocabulary {
    /// Every category, in a fixed order (the order defines category and topic indices).
    static let categories: [CategoryVocabulary] = [
        beauty, fishing, running, coffee, camping, gaming,
        kitchen, baby, pets, audio, gardening, yoga,
    ]

    /// Every topic of every category, flattened in category order.
    static let topics: [TopicEntry] = {
        var result: [TopicEntry] = []
        for (index, category) in categories.enumerated() {
            for topic in category.topics {
                result.append(TopicEntry(category: index, vocabulary: topic))
            }
        }
        return result
    }()

    /// The shared colours (every category uses all of them).
    static let colours: [Bilingual] = [
        Bilingual("black", "黑色"),
        Bilingual("ivory", "象牙白"),
        Bilingual("scarlet", "正红色"),
        Bilingual("navy", "藏青色"),
        Bilingual("olive", "橄榄绿"),
        Bilingual("teal", "孔雀蓝"),
        Bilingual("mustard", "芥末黄"),
        Bilingual("coral", "珊瑚橙"),
        Bilingual("charcoal", "炭灰色"),
        Bilingual("sky blue", "天蓝色"),
        Bilingual("burgundy", "酒红色"),
        Bilingual("khaki", "卡其色"),
    ]

    /// Upper bound on products and brands per topic/category (the catalogue indexes by them).
    static let maximumPerList = 16
}
