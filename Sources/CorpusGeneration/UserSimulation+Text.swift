import InterestCore

/// Writing the user's queries and reviews from the language's templates.
extension UserSimulation {
    /// Picks a term of interest `index` from `range` (product or use indices): usually one
    /// the user has written least so far (so every planted term gets said), sometimes any.
    mutating func pickTerm(_ index: Int, in range: Range<Int>, excluding excluded: Int? = nil) -> Int {
        guard !range.isEmpty else { return 0 }
        if random.chance(0.15) {
            let pick = range.lowerBound + random.next(below: range.count)
            if pick != excluded || range.count == 1 { return pick }
        }
        var lowest = Int.max
        var candidates: [Int] = []
        for term in range where term != excluded {
            let count = usage[index].terms[term]
            if count < lowest {
                lowest = count
                candidates.removeAll(keepingCapacity: true)
                candidates.append(term)
            } else if count == lowest {
                candidates.append(term)
            }
        }
        guard !candidates.isEmpty else { return range.lowerBound }
        return candidates[random.next(below: candidates.count)]
    }

    /// A search query about interest `index`, and the product it names (if any).
    mutating func interestQuery(_ index: Int) -> (text: String, product: Int?) {
        let interest = profile.interests[index]
        let topic = Vocabulary.topics[interest.topic].vocabulary
        let template = templates.queries[random.next(below: templates.queries.count)]
        let products = 0..<topic.products.count
        let uses = topic.products.count..<topic.termCount
        var values = SlotValues()
        var product: Int?
        var product2: Int?
        var use: Int?
        if template.uses(.product) {
            let pick = pickTerm(index, in: products)
            values.product = topic.term(pick, language)
            product = pick
        }
        if template.uses(.product2) {
            let pick = pickTerm(index, in: products, excluding: product)
            values.product2 = topic.term(pick, language)
            product2 = pick
        }
        if template.uses(.use) {
            let pick = pickTerm(index, in: uses)
            values.use = topic.term(pick, language)
            use = pick
        }
        let brand = profile.brand(of: interest)
        values.brand = language == .english ? brand.lowercased() : brand
        values.colour = profile.colour(of: interest)
        values.material = profile.material(of: interest)
        var text = ""
        template.render(values, into: &text)
        credit(
            index, slots: template.slots, terms: [product, product2, use],
            brand: true, colour: true, material: true)
        return (text, product ?? product2)
    }

    /// A review of in-interest `item`: mostly four or five stars praising the product, its use
    /// and attributes, sometimes three stars, occasionally a complaint.
    mutating func interestReview(_ index: Int, item: Int32) -> (rating: Int8, text: String) {
        let interest = profile.interests[index]
        let record = catalogue.items[Int(item)]
        let topic = Vocabulary.topics[interest.topic].vocabulary
        let product = Int(record.product)
        let product2 = pickTerm(index, in: 0..<topic.products.count, excluding: product)
        let use = pickTerm(index, in: topic.products.count..<topic.termCount)
        var values = itemValues(record)
        values.product2 = topic.term(product2, language)
        values.use = topic.term(use, language)
        let brandMatch = Int(record.brand) == interest.brand
        let colourMatch = Int(record.colour) == interest.colour
        let materialMatch = Int(record.material) == interest.material

        var text = ""
        var sentences = 0
        func add(_ template: TextTemplate, _ simulation: inout UserSimulation) {
            if sentences > 0 { text += simulation.templates.sentenceSeparator }
            template.render(values, into: &text)
            simulation.credit(
                index, slots: template.slots, terms: [product, product2, use],
                brand: brandMatch, colour: colourMatch, material: materialMatch)
            sentences += 1
        }

        let rating: Int8
        if random.chance(0.05) {
            rating = Int8(1 + random.next(below: 2))
            writeComplaint(values: values, into: &text)
        } else {
            let draw = random.nextUnit()
            let matches = (brandMatch ? 1 : 0) + (colourMatch ? 1 : 0) + (materialMatch ? 1 : 0)
            if matches >= 2 {
                rating = draw < 0.70 ? 5 : (draw < 0.95 ? 4 : 3)
            } else {
                rating = draw < 0.45 ? 5 : (draw < 0.85 ? 4 : 3)
            }
            // Reviewers mention a brand, colour or material when it is one they care about.
            var allowed = TemplateSlot.product.bit | TemplateSlot.product2.bit | TemplateSlot.use.bit
            if brandMatch { allowed |= TemplateSlot.brand.bit }
            if colourMatch { allowed |= TemplateSlot.colour.bit }
            if materialMatch { allowed |= TemplateSlot.material.bit }
            if rating == 3 {
                add(pick(templates.mixedSentences, within: allowed), &self)
            } else {
                add(pick(templates.productSentences, within: allowed), &self)
                if random.chance(0.9) {
                    let aboutUse = random.chance(0.7) || allowed & TemplateSlot.attributeBits == 0
                    add(pick(aboutUse ? templates.useSentences : templates.attributeSentences, within: allowed), &self)
                }
            }
            if random.chance(0.5) { add(pick(templates.fillers), &self) }
        }
        return (rating, text)
    }

    /// A review of an item outside the user's interests: often a one- or two-star complaint,
    /// otherwise a lukewarm gift note. Credits no planted term.
    mutating func offInterestReview(item: Int32) -> (rating: Int8, text: String) {
        let record = catalogue.items[Int(item)]
        let values = itemValues(record)
        var text = ""
        if random.chance(0.65) {
            writeComplaint(values: values, into: &text)
            return (Int8(1 + random.next(below: 2)), text)
        }
        pick(templates.giftSentences).render(values, into: &text)
        if random.chance(0.4) {
            text += templates.sentenceSeparator
            pick(templates.fillers).render(values, into: &text)
        }
        return (Int8(3 + random.next(below: 2)), text)
    }

    /// A query of an off-interest browse: a product of `topic`, maybe with a colour.
    mutating func offInterestQuery(topic: Int) -> String {
        let vocabulary = Vocabulary.topics[topic].vocabulary
        var values = SlotValues()
        values.product = vocabulary.products[random.next(below: vocabulary.products.count)][language]
        values.colour = Vocabulary.colours[random.next(below: Vocabulary.colours.count)][language]
        var text = ""
        pick(templates.offInterestQueries).render(values, into: &text)
        return text
    }

    /// One or two distinct complaint sentences.
    private mutating func writeComplaint(values: SlotValues, into text: inout String) {
        let first = random.next(below: templates.complaints.count)
        templates.complaints[first].render(values, into: &text)
        if random.chance(0.35) {
            let second = (first + 1 + random.next(below: templates.complaints.count - 1)) % templates.complaints.count
            text += templates.sentenceSeparator
            templates.complaints[second].render(values, into: &text)
        }
    }

    /// Product, brand, colour and material of `record`, in the user's language.
    func itemValues(_ record: CatalogueItem) -> SlotValues {
        let entry = Vocabulary.topics[Int(record.topic)]
        let category = Vocabulary.categories[entry.category]
        var values = SlotValues()
        values.product = entry.vocabulary.products[Int(record.product)][language]
        values.product2 = values.product
        values.use = entry.vocabulary.uses[Int(record.use)][language]
        values.brand = category.brands[Int(record.brand)][language]
        values.colour = Vocabulary.colours[Int(record.colour)][language]
        values.material = category.materials[Int(record.material)][language]
        return values
    }

    /// A uniformly chosen template.
    mutating func pick(_ list: [TextTemplate]) -> TextTemplate {
        list[random.next(below: list.count)]
    }

    /// A uniformly chosen template among those whose slots are all in `allowed` (any
    /// template when none qualifies).
    mutating func pick(_ list: [TextTemplate], within allowed: UInt8) -> TextTemplate {
        var eligible = 0
        for template in list where template.slots & ~allowed == 0 { eligible += 1 }
        guard eligible > 0 else { return pick(list) }
        var target = random.next(below: eligible)
        for template in list where template.slots & ~allowed == 0 {
            if target == 0 { return template }
            target -= 1
        }
        return pick(list)
    }

    /// Counts the planted words a rendered template wrote: `terms` are the term indices bound
    /// to `{p}`, `{p2}` and `{u}`; the flags say whether brand, colour and material are the
    /// user's preferred ones.
    mutating func credit(
        _ index: Int, slots: UInt8, terms: [Int?], brand: Bool, colour: Bool, material: Bool
    ) {
        let termSlots: [TemplateSlot] = [.product, .product2, .use]
        for (slot, term) in zip(termSlots, terms) {
            if let term, slots & slot.bit != 0 { usage[index].terms[term] += 1 }
        }
        if brand, slots & TemplateSlot.brand.bit != 0 { usage[index].brand += 1 }
        if colour, slots & TemplateSlot.colour.bit != 0 { usage[index].colour += 1 }
        if material, slots & TemplateSlot.material.bit != 0 { usage[index].material += 1 }
    }
}
