/// The canonical events of ARCHITECTURE.md as validated, immutable values.
///
/// Every event that reaches the store has passed validation (required fields present, text
/// non-empty, timestamp plausible) and carries an ``EventKey`` that makes ingest idempotent:
/// the hash of its explicit `id` when it has one, otherwise the hash of its content.

/// A 128-bit idempotency key (stored as a 16-byte BLOB, unique per event table).
public struct EventKey: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The 16 bytes stored in the database (big-endian, so keys sort as hex strings do).
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for k in 0..<8 {
            out[k] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(k)))
            out[8 + k] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(k)))
        }
        return out
    }

    public var description: String {
        let h = String(high, radix: 16)
        let l = String(low, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }

    /// The key of an event with an explicit id: the id alone decides identity within a type.
    public static func explicit(_ id: String, kind: EventKind) -> EventKey {
        var h = StableHash128(seed: 0x1D)
        h.combine(tag: 1)
        h.combine(tag: kind.tag)
        h.combine(field: id)
        let (a, b) = h.finalize()
        return EventKey(high: a, low: b)
    }
}

/// The four event types.
public enum EventKind: String, Sendable, CaseIterable, Codable {
    case item, review, query, interaction

    var tag: UInt8 {
        switch self {
        case .item: 1
        case .review: 2
        case .query: 3
        case .interaction: 4
        }
    }
}

/// What a user did to an item. Raw values are the canonical spellings; `code` is the stored
/// integer (ordered by strength of intent, so `view < click < cart < purchase`).
public enum Action: String, Sendable, CaseIterable, Codable, Comparable {
    case view, click, cart, purchase, rate

    public var code: Int {
        switch self {
        case .view: 1
        case .click: 2
        case .cart: 3
        case .purchase: 4
        case .rate: 5
        }
    }

    public init?(code: Int) {
        guard let a = Action.allCases.first(where: { $0.code == code }) else { return nil }
        self = a
    }

    public static func < (a: Action, b: Action) -> Bool { a.code < b.code }
}

/// An item's descriptive record. Absent fields leave what the store already has unchanged.
public struct ItemRecord: Sendable, Equatable {
    public var item: String
    public var title: String?
    public var text: String?
    public var category: String?

    public init(item: String, title: String? = nil, text: String? = nil, category: String? = nil) {
        self.item = item
        self.title = title
        self.text = text
        self.category = category
    }
}

/// A written review of an item, with an optional rating on a 0–5 scale.
public struct Review: Sendable, Equatable {
    public let key: EventKey
    public let eventID: String?
    public let user: String
    public let item: String
    public let rating: Double?
    public let text: String
    public let timestamp: Int64

    public init(eventID: String? = nil, user: String, item: String, rating: Double?, text: String, timestamp: Int64) {
        self.eventID = eventID
        self.user = user
        self.item = item
        self.rating = rating
        self.text = text
        self.timestamp = timestamp
        if let eventID {
            key = .explicit(eventID, kind: .review)
        } else {
            var h = StableHash128(seed: 0x1D)
            h.combine(tag: 0)
            h.combine(tag: EventKind.review.tag)
            h.combine(field: user)
            h.combine(field: item)
            h.combine(rating.map { $0.bitPattern } ?? 0xFFFF_FFFF_FFFF_FFFF)
            h.combine(field: text)
            h.combine(UInt64(bitPattern: timestamp))
            let (a, b) = h.finalize()
            key = EventKey(high: a, low: b)
        }
    }
}

/// A search query typed by a user.
public struct SearchQuery: Sendable, Equatable {
    public let key: EventKey
    public let eventID: String?
    public let user: String
    public let text: String
    public let timestamp: Int64

    public init(eventID: String? = nil, user: String, text: String, timestamp: Int64) {
        self.eventID = eventID
        self.user = user
        self.text = text
        self.timestamp = timestamp
        if let eventID {
            key = .explicit(eventID, kind: .query)
        } else {
            var h = StableHash128(seed: 0x1D)
            h.combine(tag: 0)
            h.combine(tag: EventKind.query.tag)
            h.combine(field: user)
            h.combine(field: text)
            h.combine(UInt64(bitPattern: timestamp))
            let (a, b) = h.finalize()
            key = EventKey(high: a, low: b)
        }
    }
}

/// A behavioural event: view, click, cart, purchase or rate (with a rating).
public struct Interaction: Sendable, Equatable {
    public let key: EventKey
    public let eventID: String?
    public let user: String
    public let item: String
    public let action: Action
    public let rating: Double?
    public let timestamp: Int64

    public init(eventID: String? = nil, user: String, item: String, action: Action, rating: Double? = nil, timestamp: Int64) {
        self.eventID = eventID
        self.user = user
        self.item = item
        self.action = action
        self.rating = rating
        self.timestamp = timestamp
        if let eventID {
            key = .explicit(eventID, kind: .interaction)
        } else {
            var h = StableHash128(seed: 0x1D)
            h.combine(tag: 0)
            h.combine(tag: EventKind.interaction.tag)
            h.combine(field: user)
            h.combine(field: item)
            h.combine(UInt64(action.code))
            h.combine(rating.map { $0.bitPattern } ?? 0xFFFF_FFFF_FFFF_FFFF)
            h.combine(UInt64(bitPattern: timestamp))
            let (a, b) = h.finalize()
            key = EventKey(high: a, low: b)
        }
    }
}

/// One validated event of any type.
public enum Event: Sendable, Equatable {
    case item(ItemRecord)
    case review(Review)
    case query(SearchQuery)
    case interaction(Interaction)

    public var kind: EventKind {
        switch self {
        case .item: .item
        case .review: .review
        case .query: .query
        case .interaction: .interaction
        }
    }

    /// The user the event belongs to (nil for item records).
    public var user: String? {
        switch self {
        case .item: nil
        case .review(let r): r.user
        case .query(let q): q.user
        case .interaction(let i): i.user
        }
    }
}

/// Whole UTC days since 1970 (floor division, so times before 1970 fall on negative days): the
/// unit of the per-item daily activity counters.
public enum UnixDay {
    public static func of(_ time: Int64) -> Int64 {
        let q = time / 86_400
        return time % 86_400 < 0 ? q - 1 : q
    }
}
