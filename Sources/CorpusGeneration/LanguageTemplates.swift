/// Every template used to write text in one language.
///
/// Sentences are joined with `sentenceSeparator` (a space in English, nothing in Chinese).
/// Templates mention the topic's terms and the item's or user's attributes through slots (see
/// `TemplateSlot`); fillers and complaints carry the generic words every user shares.
struct LanguageTemplates: Sendable {
    let sentenceSeparator: String
    /// In-interest search queries.
    let queries: [TextTemplate]
    /// Queries of an off-interest browse or gift hunt.
    let offInterestQueries: [TextTemplate]
    /// Positive review sentences about the product.
    let productSentences: [TextTemplate]
    /// Positive review sentences about what the product is used for.
    let useSentences: [TextTemplate]
    /// Positive review sentences about brand, colour or material.
    let attributeSentences: [TextTemplate]
    /// Three-star review sentences.
    let mixedSentences: [TextTemplate]
    /// One- and two-star review sentences.
    let complaints: [TextTemplate]
    /// Neutral review sentences of a gift bought outside the user's interests.
    let giftSentences: [TextTemplate]
    /// Generic praise shared by every user (no slots).
    let fillers: [TextTemplate]
    /// Item titles (rendered with title-cased values in English).
    let titles: [TextTemplate]
    /// Item description sentences.
    let descriptions: [TextTemplate]

    static func forLanguage(_ language: Language) -> LanguageTemplates {
        language == .english ? english : chinese
    }
}
