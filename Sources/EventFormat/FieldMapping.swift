import InterestCore

/// The canonical fields of an event line (ARCHITECTURE.md, "Data in").
public enum EventField: String, Sendable, CaseIterable {
    case type, id, user, item, action, rating, text, title, category, ts

    var index: Int {
        switch self {
        case .type: 0
        case .id: 1
        case .user: 2
        case .item: 3
        case .action: 4
        case .rating: 5
        case .text: 6
        case .title: 7
        case .category: 8
        case .ts: 9
        }
    }
}

/// Where each canonical field comes from in the input: `--map user=reviewerID,item=asin`.
///
/// A field left out of the mapping is read from the source field of the same name. A text field
/// (`text`, `title`) may join several source fields with `+` (`text=summary+reviewText`); their
/// non-empty values are joined with ". ", the convention of ../shared/datasets for Amazon dumps.
public struct FieldMapping: Sendable, Equatable {
    /// For each canonical field (in `EventField.allCases` order), the source field names.
    public let sources: [[String]]

    /// The identity mapping: every field is read from the field of the same name.
    public init() {
        sources = EventField.allCases.map { [$0.rawValue] }
    }

    /// Parses `FIELD=SOURCE[+SOURCE…][,FIELD=SOURCE…]`.
    public init(parsing spec: String) throws(EventFormatError) {
        var table = EventField.allCases.map { [$0.rawValue] }
        var seen = Set<String>()
        for rawEntry in spec.split(separator: ",", omittingEmptySubsequences: true) {
            let entry = String(rawEntry)
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw .invalidMapping(entry: entry, reason: "expected FIELD=SOURCE")
            }
            let name = parts[0].trimmingWhitespace()
            guard let field = EventField(rawValue: name) else {
                throw .invalidMapping(entry: entry, reason: "'\(name)' is not a canonical field")
            }
            guard !seen.contains(name) else {
                throw .invalidMapping(entry: entry, reason: "'\(name)' is mapped twice")
            }
            seen.insert(name)
            let srcs = parts[1].split(separator: "+", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            guard !srcs.isEmpty, srcs.allSatisfy({ !$0.isEmpty }) else {
                throw .invalidMapping(entry: entry, reason: "empty source field name")
            }
            if srcs.count > 1 && field != .text && field != .title {
                throw .invalidMapping(entry: entry, reason: "only text and title can join several sources with +")
            }
            table[field.index] = srcs
        }
        sources = table
    }

    /// The source names for a field.
    public func sources(for field: EventField) -> [String] { sources[field.index] }

    /// Flattened lookup entries: (source key bytes, field, part index).
    func lookupEntries() -> [(key: [UInt8], field: EventField, part: Int)] {
        var out: [(key: [UInt8], field: EventField, part: Int)] = []
        for field in EventField.allCases {
            for (p, s) in sources[field.index].enumerated() {
                out.append((Array(s.utf8), field, p))
            }
        }
        return out
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
