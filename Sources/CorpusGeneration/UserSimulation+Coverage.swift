import InterestCore

/// Making sure every planted term is actually written somewhere the miner can see it.
extension UserSimulation {
    /// True when some planted term of interest `index` has not been written yet.
    func hasMissingTerms(_ index: Int) -> Bool {
        let counts = usage[index]
        return counts.brand == 0 || counts.colour == 0 || counts.material == 0 || counts.terms.contains(0)
    }

    /// A short search session that names every still-unwritten term of interest `index`
    /// (queries of at most two terms, the first carrying any unwritten brand, colour or
    /// material), then looks at an item of a searched product. It starts shortly after one of
    /// the interest's earlier sessions and before the held-out session.
    mutating func runCoverageSession(_ index: Int, heldOutStart: Int64?) {
        let interest = profile.interests[index]
        let topic = Vocabulary.topics[interest.topic].vocabulary
        let counts = usage[index]
        var missing = counts.terms.indices.filter { counts.terms[$0] == 0 }

        var attributes: [String] = []
        if counts.brand == 0 {
            let brand = profile.brand(of: interest)
            attributes.append(language == .english ? brand.lowercased() : brand)
        }
        if counts.colour == 0 { attributes.append(profile.colour(of: interest)) }
        if counts.material == 0 { attributes.append(profile.material(of: interest)) }
        if missing.isEmpty {
            missing.append(pickTerm(index, in: 0..<topic.products.count))
        }

        clock = coverageStart(index, interest: interest, heldOutStart: heldOutStart)
        var searched: [Int] = []
        var remaining = missing[...]
        var first = true
        while !remaining.isEmpty {
            let terms = remaining.prefix(2)
            remaining = remaining.dropFirst(terms.count)
            var words = first ? attributes : []
            words += terms.map { topic.term($0, language) }
            first = false
            emit(.query, text: words.joined(separator: " "))
            for term in terms {
                usage[index].terms[term] += 1
                if term < topic.products.count { searched.append(term) }
            }
            advance(8...70)
        }
        usage[index].brand += 1
        usage[index].colour += 1
        usage[index].material += 1

        if let product = searched.first {
            let list = catalogue.items(topic: interest.topic, language: language, product: product)
            if let item = catalogue.samplePopular(list, using: &random), !futurePurchases.contains(item) {
                emit(.view, item: item)
                noteTouched(item, interest: index)
                advance(10...90)
            }
        }
    }

    /// Start of a coverage session: 5 to 60 minutes after a random earlier session of the
    /// interest, kept before the held-out session.
    private mutating func coverageStart(_ index: Int, interest: PlantedInterest, heldOutStart: Int64?) -> Int64 {
        let ends = sessionEnds[index]
        guard !ends.isEmpty else { return interest.since + Int64(random.next(in: 600...3_600)) }
        let base = ends[random.next(below: ends.count)]
        var time = base + Int64(random.next(in: 300...3_600))
        if let heldOutStart, time >= heldOutStart, heldOutStart > base {
            time = base + 1 + (heldOutStart - base - 1) / 2
        }
        return time
    }
}
