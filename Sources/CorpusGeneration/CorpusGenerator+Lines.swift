/// Formatting of event and ground-truth lines (canonical key order, raw UTF-8).
extension CorpusGenerator {
    /// One review, query or interaction line.
    func eventLine(_ event: PendingEvent, userID: String) -> String {
        var line = ""
        line.reserveCapacity(event.text.utf8.count + 112)
        switch event.kind {
        case .review:
            line += "{\"type\":\"review\",\"user\":\""
            line += userID
            line += "\",\"item\":\""
            catalogue.appendItemID(Int(event.item), to: &line)
            line += "\",\"rating\":"
            line += String(event.rating)
            line += ",\"text\":"
            JSONLine.appendString(event.text, to: &line)
        case .query:
            line += "{\"type\":\"query\",\"user\":\""
            line += userID
            line += "\",\"text\":"
            JSONLine.appendString(event.text, to: &line)
        case .view, .click, .cart, .purchase:
            line += "{\"type\":\"interaction\",\"user\":\""
            line += userID
            line += "\",\"item\":\""
            catalogue.appendItemID(Int(event.item), to: &line)
            line += "\",\"action\":\""
            line += event.kind.action
            line += "\""
        }
        line += ",\"ts\":"
        line += String(event.timestamp)
        line += "}"
        return line
    }

    /// The ground-truth line of a user: language, planted interests (with their terms in the
    /// user's language, preferred attributes, start time and weight), the de-duplicated
    /// lower-cased union of planted terms, and the held-out future purchases.
    func truthLine(_ timeline: UserTimeline, userID: String) -> String {
        let profile = timeline.profile
        var line = "{\"user\":\""
        line += userID
        line += "\",\"language\":\""
        line += profile.language.code
        line += "\",\"interests\":["
        for (number, interest) in profile.interests.enumerated() {
            if number > 0 { line += "," }
            let entry = Vocabulary.topics[interest.topic]
            line += "{\"category\":"
            JSONLine.appendString(Vocabulary.categories[entry.category].name, to: &line)
            line += ",\"topic\":"
            JSONLine.appendString(entry.vocabulary.name.english, to: &line)
            line += ",\"terms\":"
            appendStringArray(profile.terms(of: interest), to: &line)
            line += ",\"brand\":"
            JSONLine.appendString(profile.brand(of: interest), to: &line)
            line += ",\"colour\":"
            JSONLine.appendString(profile.colour(of: interest), to: &line)
            line += ",\"material\":"
            JSONLine.appendString(profile.material(of: interest), to: &line)
            line += ",\"since\":"
            line += String(interest.since)
            line += ",\"weight\":"
            JSONLine.appendFraction(percent: interest.weightPercent, to: &line)
            line += "}"
        }
        line += "],\"planted_terms\":"
        appendStringArray(profile.plantedTerms(), to: &line)
        line += ",\"future_purchases\":["
        for (number, item) in timeline.futurePurchases.enumerated() {
            if number > 0 { line += "," }
            line += "\""
            catalogue.appendItemID(Int(item), to: &line)
            line += "\""
        }
        line += "]}"
        return line
    }

    private func appendStringArray(_ values: [String], to line: inout String) {
        line += "["
        for (number, value) in values.enumerated() {
            if number > 0 { line += "," }
            JSONLine.appendString(value, to: &line)
        }
        line += "]"
    }
}
