import InterestCore

/// Rendering of item ids, titles, descriptions and item record lines.
extension Catalogue {
    /// `P00001`-style id of the item at `index` (ids start at 1).
    func appendItemID(_ index: Int, to line: inout String) {
        JSONLine.appendPaddedID(prefix: "P", number: index + 1, width: idWidth, to: &line)
    }

    /// Bit set (`TemplateSlot.bit`) of what the item's title mentions.
    func titleSlots(of item: CatalogueItem) -> UInt8 {
        LanguageTemplates.forLanguage(item.language).titles[Int(item.titleTemplate)].slots
    }

    /// The item's title, e.g. "Northfly Graphite Fly Rod in Olive" or "北飞 飞钓竿 橄榄绿 碳素款".
    func title(of item: CatalogueItem) -> String {
        let templates = LanguageTemplates.forLanguage(item.language)
        var values = slotValues(of: item, product2: nil)
        if item.language == .english {
            values.product = Catalogue.titleCased(values.product)
            values.use = Catalogue.titleCased(values.use)
            values.colour = Catalogue.titleCased(values.colour)
            values.material = Catalogue.titleCased(values.material)
        }
        var text = ""
        templates.titles[Int(item.titleTemplate)].render(values, into: &text)
        return text
    }

    /// The item's one-to-three-sentence description (its own random stream, so rendering order
    /// does not matter).
    func description(of item: CatalogueItem, index: Int) -> String {
        var random = SeededRandom(seed: seed ^ CorpusGenerator.descriptionSeedMask, stream: UInt64(index))
        let topic = Vocabulary.topics[Int(item.topic)].vocabulary
        var other = random.next(below: topic.products.count)
        if other == Int(item.product) { other = (other + 1) % topic.products.count }
        let values = slotValues(of: item, product2: other)
        let templates = LanguageTemplates.forLanguage(item.language)
        var order = Array(0..<templates.descriptions.count)
        random.shuffle(&order)
        let sentences = 1 + random.next(below: 3)
        var text = ""
        for (number, templateIndex) in order.prefix(sentences).enumerated() {
            if number > 0 { text += templates.sentenceSeparator }
            templates.descriptions[templateIndex].render(values, into: &text)
        }
        return text
    }

    /// Appends the item record line of the item at `index` (no trailing newline).
    func appendItemLine(index: Int, to line: inout String) {
        let item = items[index]
        line += "{\"type\":\"item\",\"item\":\""
        appendItemID(index, to: &line)
        line += "\",\"title\":"
        JSONLine.appendString(title(of: item), to: &line)
        line += ",\"text\":"
        JSONLine.appendString(description(of: item, index: index), to: &line)
        line += ",\"category\":"
        let category = Vocabulary.topics[Int(item.topic)].category
        JSONLine.appendString(Vocabulary.categories[category].name, to: &line)
        line += ",\"lang\":\""
        line += item.language.code
        line += "\"}"
    }

    /// Slot values of an item in its own language.
    private func slotValues(of item: CatalogueItem, product2: Int?) -> SlotValues {
        let entry = Vocabulary.topics[Int(item.topic)]
        let category = Vocabulary.categories[entry.category]
        let language = item.language
        var values = SlotValues()
        values.product = entry.vocabulary.products[Int(item.product)][language]
        if let product2 { values.product2 = entry.vocabulary.products[product2][language] }
        values.use = entry.vocabulary.uses[Int(item.use)][language]
        values.brand = category.brands[Int(item.brand)][language]
        values.colour = Vocabulary.colours[Int(item.colour)][language]
        values.material = category.materials[Int(item.material)][language]
        return values
    }

    /// Upper-cases the first ASCII letter of every space-separated word ("fly rod" -> "Fly Rod").
    static func titleCased(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var atWordStart = true
        for scalar in text.unicodeScalars {
            if atWordStart, scalar.value >= 0x61, scalar.value <= 0x7A,
                let upper = Unicode.Scalar(scalar.value - 0x20)
            {
                result.unicodeScalars.append(upper)
            } else {
                result.unicodeScalars.append(scalar)
            }
            atWordStart = scalar == " "
        }
        return result
    }
}
