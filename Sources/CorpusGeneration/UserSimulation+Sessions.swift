import InterestCore

/// Running sessions: queries, views, clicks, carts, purchases and the reviews that follow.
extension UserSimulation {
    /// Runs one session about interest `index` at the current clock and returns what was
    /// purchased. The held-out session never offers items bought before and writes no reviews
    /// (its purchases are withheld as future purchases).
    mutating func runInterestSession(_ index: Int, heldOut: Bool) -> [Int32] {
        let interest = profile.interests[index]
        let draw = random.nextUnit()
        let queryCount = draw < 0.10 ? 0 : (draw < 0.45 ? 1 : (draw < 0.80 ? 2 : 3))
        var searchedProduct: Int?
        for _ in 0..<queryCount {
            let (text, product) = interestQuery(index)
            emit(.query, text: text)
            if let product { searchedProduct = product }
            advance(8...70)
        }

        let browseLanguage = random.chance(0.9) ? language : language.other
        let viewCount = 1 + random.next(below: 3) + (queryCount > 0 && random.chance(0.3) ? 1 : 0)
        let chosen = chooseItems(
            topic: interest.topic, language: browseLanguage, count: viewCount,
            preferences: interest, searchedProduct: searchedProduct, avoidPurchased: heldOut)

        var purchases: [(item: Int32, time: Int64)] = []
        for item in chosen {
            emit(.view, item: item)
            noteTouched(item, interest: index)
            advance(10...90)
            // The final in-interest session is a return-to-buy visit: keener clicks and carts.
            let match = Double(matchCount(item, interest)) + (heldOut ? 1.5 : 0)
            guard random.chance(0.40 + 0.08 * match) else { continue }
            emit(.click, item: item)
            advance(15...120)
            guard random.chance(0.45 + 0.10 * match) else { continue }
            emit(.cart, item: item)
            advance(10...90)
            guard random.chance(0.8), !purchased.contains(item) else { continue }  // buy once
            emit(.purchase, item: item)
            notePurchased(item)
            purchases.append((item, clock))
            advance(20...150)
        }
        if !heldOut {
            for purchase in purchases where random.chance(0.6) {
                let (rating, text) = interestReview(index, item: purchase.item)
                emit(.review, item: purchase.item, rating: rating, text: text, at: reviewTime(after: purchase.time))
            }
        }
        return purchases.map(\.item)
    }

    /// A gift hunt (usually ends in a purchase) or an aimless browse in an unrelated topic.
    mutating func runOffInterestSession(topic: Int, gift: Bool) {
        if random.chance(gift ? 0.5 : 0.3) {
            emit(.query, text: offInterestQuery(topic: topic))
            advance(8...70)
        }
        let browseLanguage = random.chance(0.9) ? language : language.other
        var list = catalogue.items(topic: topic, language: browseLanguage)
        if list.isEmpty { list = catalogue.items(topic: topic, language: browseLanguage.other) }
        let viewCount = 1 + random.next(below: gift ? 2 : 3)
        var seen: [Int32] = []
        for _ in 0..<(viewCount + 2) where seen.count < viewCount {
            if let item = catalogue.samplePopular(list, using: &random), !seen.contains(item) {
                seen.append(item)
            }
        }
        var purchases: [(item: Int32, time: Int64)] = []
        for (position, item) in seen.enumerated() {
            emit(.view, item: item)
            noteTouched(item, interest: nil)
            advance(10...90)
            let buys = !purchased.contains(item) && (gift ? (position == 0 && random.chance(0.8)) : random.chance(0.1))
            if buys {
                emit(.click, item: item)
                advance(15...120)
                emit(.cart, item: item)
                advance(10...90)
                emit(.purchase, item: item)
                notePurchased(item)
                purchases.append((item, clock))
                advance(20...150)
            } else if random.chance(0.4) {
                emit(.click, item: item)
                advance(15...120)
            }
        }
        for purchase in purchases where random.chance(0.7) {
            let (rating, text) = offInterestReview(item: purchase.item)
            emit(.review, item: purchase.item, rating: rating, text: text, at: reviewTime(after: purchase.time))
        }
    }

    /// Picks up to `count` distinct items of a topic: candidates come from the topic's Zipf
    /// popularity, from the preferred brand's items and from items of the searched product,
    /// then are chosen with weights favouring the preferred brand, colour and material and
    /// the searched product, and disfavouring items the user has already seen.
    mutating func chooseItems(
        topic: Int, language browseLanguage: Language, count: Int, preferences: PlantedInterest,
        searchedProduct: Int?, avoidPurchased: Bool
    ) -> [Int32] {
        var itemLanguage = browseLanguage
        var topicItems = catalogue.items(topic: topic, language: itemLanguage)
        if topicItems.isEmpty {
            itemLanguage = browseLanguage.other
            topicItems = catalogue.items(topic: topic, language: itemLanguage)
        }
        let brandItems = catalogue.items(topic: topic, language: itemLanguage, brand: preferences.brand)
        let productItems = searchedProduct.map {
            catalogue.items(topic: topic, language: itemLanguage, product: $0)
        } ?? []

        var pool: [Int32] = []
        for _ in 0..<(count + 4) {
            let source = random.nextUnit()
            var list = topicItems
            if source >= 0.35, source < 0.75, !brandItems.isEmpty { list = brandItems }
            if source >= 0.75, !productItems.isEmpty { list = productItems }
            guard let candidate = catalogue.samplePopular(list, using: &random) else { continue }
            if pool.contains(candidate) || (avoidPurchased && purchased.contains(candidate)) { continue }
            pool.append(candidate)
        }
        var weights: [Double] = pool.map { candidate in
            let item = catalogue.items[Int(candidate)]
            var weight = 1.0
            if Int(item.brand) == preferences.brand { weight *= 5 }
            if Int(item.colour) == preferences.colour { weight *= 2.5 }
            if Int(item.material) == preferences.material { weight *= 2.5 }
            if let searchedProduct, Int(item.product) == searchedProduct { weight *= 2.5 }
            if touched.contains(candidate) { weight *= 0.35 }  // people mostly look at new things
            return weight
        }
        var chosen: [Int32] = []
        while chosen.count < count, let pick = random.pickIndex(weights: weights) {
            chosen.append(pool[pick])
            weights[pick] = 0
        }
        return chosen
    }

    /// How many of brand, colour and material of `item` match the interest's preferences.
    func matchCount(_ item: Int32, _ interest: PlantedInterest) -> Int {
        let record = catalogue.items[Int(item)]
        var count = 0
        if Int(record.brand) == interest.brand { count += 1 }
        if Int(record.colour) == interest.colour { count += 1 }
        if Int(record.material) == interest.material { count += 1 }
        return count
    }

    /// Records that the user touched `item`; for an in-interest item in the user's language,
    /// credits the planted terms its title mentions.
    mutating func noteTouched(_ item: Int32, interest index: Int?) {
        if !touched.contains(item) { touched.append(item) }
        guard let index else { return }
        let record = catalogue.items[Int(item)]
        guard record.language == language, Int(record.topic) == profile.interests[index].topic else { return }
        creditTitle(of: item, interest: index, by: 1)
        titleCredits.append((item, index))
    }

    /// Records a purchase.
    mutating func notePurchased(_ item: Int32) {
        if !purchased.contains(item) { purchased.append(item) }
    }

    /// Adds `amount` to the counts of the planted terms of interest `index` that the title of
    /// `item` mentions.
    mutating func creditTitle(of item: Int32, interest index: Int, by amount: Int) {
        let interest = profile.interests[index]
        let record = catalogue.items[Int(item)]
        let slots = catalogue.titleSlots(of: record)
        let productCount = Vocabulary.topics[interest.topic].vocabulary.products.count
        if slots & TemplateSlot.product.bit != 0 { usage[index].terms[Int(record.product)] += amount }
        if slots & TemplateSlot.use.bit != 0 { usage[index].terms[productCount + Int(record.use)] += amount }
        if slots & TemplateSlot.brand.bit != 0, Int(record.brand) == interest.brand { usage[index].brand += amount }
        if slots & TemplateSlot.colour.bit != 0, Int(record.colour) == interest.colour {
            usage[index].colour += amount
        }
        if slots & TemplateSlot.material.bit != 0, Int(record.material) == interest.material {
            usage[index].material += amount
        }
    }

    /// A review comes one to six days after the purchase (delivery), or within half an hour
    /// when that would run past the end of the period.
    mutating func reviewTime(after purchase: Int64) -> Int64 {
        let delayed = purchase + Int64(86_400 * random.next(in: 1...6) + random.next(below: 43_200))
        if delayed < end - 3_600 { return delayed }
        return purchase + Int64(random.next(in: 300...1_800))
    }
}
