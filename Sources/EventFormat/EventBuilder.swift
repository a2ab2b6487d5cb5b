import InterestCore

/// Turns the raw mapped fields of one record into a validated ``Event``.
///
/// Rules (documented in README "Event format"): ids are strings or integers that `Identifier`
/// accepts (1–256 characters, not blank, no control characters); review and query text must
/// hold something besides whitespace and is kept byte for byte; no text holds U+0000 (SQLite's
/// `length()`, and with it the schema's CHECK, ends text at a NUL); ratings are numbers on a
/// 0–5 scale (rescaled with `ratingScale`); actions accept common aliases (`addtocart`,
/// `transaction`, …); `rate` needs a rating.
struct EventBuilder {
    let entries: [(key: [UInt8], field: EventField, part: Int)]
    let defaultType: EventKind?
    let timestamps: TimestampParser
    let ratingScale: Double
    /// The entries of each field (by `EventField.index`), so a field's value is found without
    /// walking every entry.
    private let byField: [[Int]]

    init(entries: [(key: [UInt8], field: EventField, part: Int)], defaultType: EventKind?, timestamps: TimestampParser, ratingScale: Double) {
        self.entries = entries
        self.defaultType = defaultType
        self.timestamps = timestamps
        self.ratingScale = ratingScale
        var byField = [[Int]](repeating: [], count: EventField.allCases.count)
        for (k, e) in entries.enumerated() { byField[e.field.index].append(k) }
        self.byField = byField
    }

    /// The value of a canonical field: its single source, or its sources' strings joined by ". ".
    private func value(_ field: EventField, _ values: [RawValue?]) throws(EventFormatError) -> RawValue? {
        let slots = byField[field.index]
        if slots.count == 1, entries[slots[0]].part == 0 {
            // The common case: one source field.
            guard let v = values[slots[0]] else { return nil }
            if case .null = v { return nil }
            return v
        }
        var found: RawValue?
        var parts: [String] = []
        var multi = false
        for k in slots {
            let e = entries[k]
            if e.part > 0 { multi = true }
            guard let v = values[k] else { continue }
            if case .null = v { continue }
            if found == nil { found = v }
            if case .string(let s) = v {
                if !s.isEmpty { parts.append(s) }
            } else if multi || e.part > 0 {
                throw .wrongType(field: field.rawValue, expected: "a string", found: v.typeName)
            }
        }
        if multi {
            return parts.isEmpty ? nil : .string(parts.joined(separator: ". "))
        }
        return found
    }

    func build(_ values: [RawValue?]) throws(EventFormatError) -> Event {
        let kind: EventKind
        if let t = try value(.type, values) {
            guard case .string(let s) = t else {
                throw .wrongType(field: "type", expected: "a string", found: t.typeName)
            }
            guard let k = EventKind(rawValue: s) ?? EventKind(rawValue: s.lowercased()) else { throw .unknownType(s) }
            kind = k
        } else if let d = defaultType {
            kind = d
        } else {
            throw .missingField(field: "type", type: nil, hint: "add a type field or pass --type review|query|interaction|item")
        }

        let eventID = try identifier(.id, values, kind: kind, required: false)
        switch kind {
        case .item:
            return .item(ItemRecord(
                item: try identifier(.item, values, kind: kind, required: true) ?? "",
                title: try optionalText(.title, values),
                text: try optionalText(.text, values),
                category: try optionalText(.category, values)))
        case .review:
            let user = try identifier(.user, values, kind: kind, required: true) ?? ""
            let item = try identifier(.item, values, kind: kind, required: true) ?? ""
            let text = try requiredText(.text, values, kind: kind)
            return .review(Review(eventID: eventID, user: user, item: item,
                                  rating: try rating(values), text: text,
                                  timestamp: try timestamp(values, kind: kind)))
        case .query:
            let user = try identifier(.user, values, kind: kind, required: true) ?? ""
            let text = try requiredText(.text, values, kind: kind)
            return .query(SearchQuery(eventID: eventID, user: user, text: text,
                                      timestamp: try timestamp(values, kind: kind)))
        case .interaction:
            let user = try identifier(.user, values, kind: kind, required: true) ?? ""
            let item = try identifier(.item, values, kind: kind, required: true) ?? ""
            guard let a = try value(.action, values) else {
                throw .missingField(field: "action", type: kind, hint: "one of view|click|cart|purchase|rate")
            }
            guard case .string(let name) = a else {
                throw .wrongType(field: "action", expected: "a string", found: a.typeName)
            }
            guard let action = Self.action(named: name) else { throw .unknownAction(name) }
            let r = try rating(values)
            if action == .rate && r == nil {
                throw .missingField(field: "rating", type: kind, hint: "a 'rate' interaction needs a rating")
            }
            return .interaction(Interaction(eventID: eventID, user: user, item: item, action: action,
                                            rating: r, timestamp: try timestamp(values, kind: kind)))
        }
    }

    static func action(named raw: String) -> Action? {
        if let a = Action(rawValue: raw) { return a }
        let name = raw.lowercased()
        if let a = Action(rawValue: name) { return a }
        switch name {
        case "pageview", "detail", "detail_view", "impression_click": return .view
        case "addtocart", "add_to_cart", "add-to-cart", "basket": return .cart
        case "transaction", "buy", "order", "checkout": return .purchase
        case "rating": return .rate
        default: return nil
        }
    }

    private func identifier(_ field: EventField, _ values: [RawValue?], kind: EventKind, required: Bool) throws(EventFormatError) -> String? {
        guard let v = try value(field, values) else {
            if required {
                let source = entries.first { $0.field == field }.map { String(decoding: $0.key, as: UTF8.self) } ?? field.rawValue
                let hint = source == field.rawValue ? "map it with --map \(field.rawValue)=FIELD if it is named otherwise" : "expected it in field '\(source)'"
                throw .missingField(field: field.rawValue, type: kind, hint: hint)
            }
            return nil
        }
        let s: String
        switch v {
        case .string(let x): s = x
        case .number(let lit):
            guard !lit.contains("."), !lit.contains("e"), !lit.contains("E") else {
                throw .wrongType(field: field.rawValue, expected: "a string or an integer", found: "the number \(lit)")
            }
            s = lit
        default:
            throw .wrongType(field: field.rawValue, expected: "a string or an integer", found: v.typeName)
        }
        if let reason = Identifier.problem(s) { throw .invalidIdentifier(field: field.rawValue, reason: reason) }
        return s
    }

    private func requiredText(_ field: EventField, _ values: [RawValue?], kind: EventKind) throws(EventFormatError) -> String {
        guard let v = try value(field, values) else {
            throw .missingField(field: field.rawValue, type: kind, hint: "map it with --map \(field.rawValue)=FIELD if it is named otherwise")
        }
        guard case .string(let s) = v else {
            throw .wrongType(field: field.rawValue, expected: "a string", found: v.typeName)
        }
        guard Self.hasNonWhitespace(s) else {
            throw .emptyText(field: field.rawValue)
        }
        guard !s.utf8.contains(0) else { throw .nulInText(field: field.rawValue) }
        return s
    }

    /// Whether `s` holds a character other than Unicode whitespace: an ASCII byte that is not
    /// whitespace answers at once; only text of whitespace and non-ASCII bytes is checked by
    /// scalar properties.
    static func hasNonWhitespace(_ s: String) -> Bool {
        var onlyASCII = true
        for b in s.utf8 {
            if b >= 0x80 { onlyASCII = false; continue }
            // ASCII whitespace per Unicode's White_Space: tab, LF, VT, FF, CR and space.
            if !(b == 0x20 || (b >= 0x09 && b <= 0x0D)) { return true }
        }
        return onlyASCII ? false : s.unicodeScalars.contains { !$0.properties.isWhitespace }
    }

    private func optionalText(_ field: EventField, _ values: [RawValue?]) throws(EventFormatError) -> String? {
        guard let v = try value(field, values) else { return nil }
        switch v {
        case .string(let s):
            guard !s.utf8.contains(0) else { throw .nulInText(field: field.rawValue) }
            return s.isEmpty ? nil : s
        case .number(let lit): return lit
        default: throw .wrongType(field: field.rawValue, expected: "a string", found: v.typeName)
        }
    }

    private func rating(_ values: [RawValue?]) throws(EventFormatError) -> Double? {
        guard let v = try value(.rating, values) else { return nil }
        let literal: String
        switch v {
        case .number(let lit): literal = lit
        case .string(let s):
            literal = Substring(s).trimmingWhitespace()
            if literal.isEmpty { return nil }
        default:
            throw .wrongType(field: "rating", expected: "a number", found: v.typeName)
        }
        guard let r = Double(literal), r.isFinite else {
            throw .invalidRating(literal, reason: "not a finite number")
        }
        let scaled = r * 5 / ratingScale
        guard scaled >= 0 && scaled <= 5 else {
            throw .invalidRating(literal, reason: "outside 0–\(formatScale(ratingScale)); pass --rating-scale N for an N-point scale")
        }
        return scaled
    }

    private func formatScale(_ x: Double) -> String {
        // Int(x) traps beyond ±2⁶³ (e.g. --rating-scale 1e20); such a scale prints as a double.
        if x == x.rounded(), let whole = Int(exactly: x) { return String(whole) }
        return String(x)
    }

    private func timestamp(_ values: [RawValue?], kind: EventKind) throws(EventFormatError) -> Int64 {
        guard let v = try value(.ts, values) else {
            throw .missingField(field: "ts", type: kind, hint: "add Unix seconds or ISO-8601, or map it with --map ts=FIELD")
        }
        return try timestamps.parse(v)
    }
}
