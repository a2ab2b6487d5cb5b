import InterestCore

/// The two big members of a `tokenizer.json` model — "vocab" (tens of thousands of entries)
/// and "merges" — read straight from the file's bytes instead of as JSON values: no value per
/// entry, and a merge's tokens are looked up by their bytes, so loading a stored tokenizer
/// takes a few milliseconds. Anything this reader does not expect (numbers that are not plain
/// integers, a "model" member twice, a merge that is neither "a b" nor ["a", "b"]) makes it
/// give up, and the file is read again as JSON values, which reports the problem.
final class ModelTables {
    /// The file.
    let bytes: [UInt8]
    /// A merge's two tokens: byte ranges of the file (strings without escapes) or decoded text.
    enum MergePart {
        case bytes(Range<Int>)
        case text(String)
    }

    /// The vocabulary's (token, id) entries in file order.
    var vocabulary: [(String, Int)]?
    var merges: [(MergePart, MergePart)]?
    /// How many "model" members the root has (more than one: give up).
    var models = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// Thrown inside the fast reader to give up (never escapes `Tokenizer(json:)`).
private let giveUp = JSONSyntaxError(offset: 0, reason: "not read by the table reader")

extension ModelTables {
    /// The parser's ``JSONParser/MemberReader``: scans the root's "model" member's "vocab" or
    /// "merges" into these tables and returns the value that stands in for it (`null`), or nil
    /// for any other member (parsed as usual).
    func read(_ key: String, _ place: JSONMemberPlace, _ parser: inout JSONParser) throws(JSONSyntaxError) -> JSONValue? {
        switch place {
        case .root:
            if key == "model" { models += 1 }
            return nil
        case .inRootMember(let parent) where parent == "model":
            switch key {
            case "vocab":
                guard vocabulary == nil else { throw giveUp }
                vocabulary = try parser.vocabularyEntries()
            case "merges":
                guard merges == nil else { throw giveUp }
                merges = try parser.mergeList()
            default:
                return nil
            }
            return .null
        case .inRootMember:
            return nil
        }
    }
}

extension JSONParser {
    /// `{"token": id, …}` with plain non-negative integer ids.
    fileprivate mutating func vocabularyEntries() throws(JSONSyntaxError) -> [(String, Int)] {
        try expect(UInt8(ascii: "{"))
        var entries: [(String, Int)] = []
        if isEmpty(UInt8(ascii: "}")) { return entries }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw giveUp }
            let token = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            entries.append((token, try plainInteger()))
            if try closes(UInt8(ascii: "}")) { return entries }
        }
    }

    /// `["a b", …]` or `[["a", "b"], …]`.
    fileprivate mutating func mergeList() throws(JSONSyntaxError) -> [(ModelTables.MergePart, ModelTables.MergePart)] {
        try expect(UInt8(ascii: "["))
        var merges: [(ModelTables.MergePart, ModelTables.MergePart)] = []
        if isEmpty(UInt8(ascii: "]")) { return merges }
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw giveUp }
            if bytes[i] == UInt8(ascii: "\"") {
                merges.append(try spacedPair())
            } else if bytes[i] == UInt8(ascii: "[") {
                i += 1
                skipWhitespace()
                let a = try part()
                skipWhitespace()
                try expect(UInt8(ascii: ","))
                skipWhitespace()
                let b = try part()
                skipWhitespace()
                try expect(UInt8(ascii: "]"))
                merges.append((a, b))
            } else {
                throw giveUp
            }
            if try closes(UInt8(ascii: "]")) { return merges }
        }
    }

    /// Right after the opening bracket: true when the closing one follows (consumed).
    private mutating func isEmpty(_ bracket: UInt8) -> Bool {
        skipWhitespace()
        guard i < bytes.count, bytes[i] == bracket else { return false }
        i += 1
        return true
    }

    /// After an element: true at the closing bracket (consumed), false after a comma.
    private mutating func closes(_ bracket: UInt8) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard i < bytes.count else { throw giveUp }
        if bytes[i] == bracket { i += 1; return true }
        try expect(UInt8(ascii: ","))
        return false
    }

    private mutating func expect(_ byte: UInt8) throws(JSONSyntaxError) {
        guard i < bytes.count, bytes[i] == byte else { throw giveUp }
        i += 1
    }

    /// Digits only (at most nine), followed by something that is not part of a number.
    private mutating func plainInteger() throws(JSONSyntaxError) -> Int {
        var v = 0, n = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, n < 10 {
            v = v * 10 + Int(bytes[i] - 0x30)
            i += 1
            n += 1
        }
        guard n > 0, n < 10, i < bytes.count else { throw giveUp }
        switch bytes[i] {
        case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): throw giveUp
        default: return v
        }
    }

    /// The end of a string starting at `i` (its closing quote), or nil when it has an escape.
    private func plainStringEnd() -> Int? {
        bytes.withUnsafeBufferPointer { b -> Int? in
            var j = i + 1
            while j < b.count {
                if b[j] == UInt8(ascii: "\"") { return j }
                if b[j] == UInt8(ascii: "\\") { return nil }
                j += 1
            }
            return nil
        }
    }

    /// One token of an `["a", "b"]` merge.
    private mutating func part() throws(JSONSyntaxError) -> ModelTables.MergePart {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw giveUp }
        if let end = plainStringEnd() {
            defer { i = end + 1 }
            return .bytes((i + 1)..<end)
        }
        return .text(try string())
    }

    /// An `"a b"` merge, split at its first space as `String.split` would (a space beside a
    /// non-ASCII byte might belong to a grapheme cluster: split as text then).
    private mutating func spacedPair() throws(JSONSyntaxError) -> (ModelTables.MergePart, ModelTables.MergePart) {
        if let end = plainStringEnd() {
            var s = i + 1
            while s < end, bytes[s] != 0x20 { s += 1 }
            guard s < end else { throw giveUp }
            if (s == i + 1 || bytes[s - 1] < 0x80) && (s + 1 == end || bytes[s + 1] < 0x80) {
                defer { i = end + 1 }
                return (.bytes((i + 1)..<s), .bytes((s + 1)..<end))
            }
        }
        let text = try string()
        let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw giveUp }
        return (.text(String(parts[0])), .text(String(parts[1])))
    }
}

extension Tokenizer {
    /// Reads a `tokenizer.json` with the table reader, or nil when it gives up.
    static func readWithTables(_ bytes: [UInt8]) -> Tokenizer? {
        let tables = ModelTables(bytes: bytes)
        var p = JSONParser(bytes: bytes) { key, place, parser throws(JSONSyntaxError) in try tables.read(key, place, &parser) }
        do {
            p.skipWhitespace()
            let root = try p.value(depth: 0, place: .root)
            p.skipWhitespace()
            guard p.i == bytes.count, tables.models <= 1 else { return nil }
            return try Tokenizer(root: root, tables: tables)
        } catch {
            return nil
        }
    }
}

extension ModelTables {
    /// The merges as vocabulary ids, or nil when a token is not in the vocabulary.
    func mergeIDs(vocabulary: TokenVocabulary) -> [(Int32, Int32)]? {
        guard let merges else { return nil }
        var ids: [(Int32, Int32)] = []
        ids.reserveCapacity(merges.count)
        return bytes.withUnsafeBufferPointer { b -> [(Int32, Int32)]? in
            func id(_ part: MergePart) -> Int32? {
                switch part {
                case .bytes(let r): vocabulary.id(of: UnsafeBufferPointer(rebasing: b[r]))
                case .text(let t): vocabulary.id(of: t)
                }
            }
            for (a, b) in merges {
                guard let x = id(a), let y = id(b) else { return nil }
                ids.append((x, y))
            }
            return ids
        }
    }
}
