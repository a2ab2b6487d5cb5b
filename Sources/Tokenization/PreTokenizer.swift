import InterestCore

/// A span of the normalized text that the model tokenizes as one word.
public struct Piece: Sendable, Equatable {
    /// Normalized byte range.
    public var start: Int
    public var end: Int
    /// The model sees the piece through the GPT-2 byte-to-character map.
    public var byteLevel: Bool

    public init(start: Int, end: Int, byteLevel: Bool = false) {
        self.start = start
        self.end = end
        self.byteLevel = byteLevel
    }
}

/// A pre-tokenization stage: splits pieces into smaller pieces (HF pre-tokenizers).
public protocol PreTokenizer: Sendable {
    /// Replaces `pieces` by their splits. May edit the text (ByteLevel's prefix space).
    func preTokenize(_ text: inout NormalizedText, _ pieces: inout [Piece])
    var json: JSONValue { get }
}

/// How a splitter treats the characters it splits on.
enum SplitAction {
    /// Part of the current piece.
    case keep
    /// Dropped; ends the current piece.
    case remove
    /// A piece of its own.
    case isolate
}

extension PreTokenizer {
    /// Splits every piece character by character with a classifier (ASCII bytes are classified
    /// without decoding). Pieces flagged byte-level keep the flag.
    static func split(_ text: NormalizedText, _ pieces: inout [Piece], _ classify: (UInt32) -> SplitAction) {
        var out: [Piece] = []
        out.reserveCapacity(pieces.count + text.bytes.count / 4)
        text.bytes.withUnsafeBufferPointer { b in
            for piece in pieces {
                var start = -1
                var i = piece.start
                while i < piece.end {
                    let (cp, len) = b[i] < 0x80 ? (UInt32(b[i]), 1) : decodeScalar(b, i)
                    switch classify(cp) {
                    case .keep:
                        if start < 0 { start = i }
                    case .remove:
                        if start >= 0 { out.append(Piece(start: start, end: i, byteLevel: piece.byteLevel)) }
                        start = -1
                    case .isolate:
                        if start >= 0 { out.append(Piece(start: start, end: i, byteLevel: piece.byteLevel)) }
                        out.append(Piece(start: i, end: i + len, byteLevel: piece.byteLevel))
                        start = -1
                    }
                    i += len
                }
                if start >= 0 { out.append(Piece(start: start, end: piece.end, byteLevel: piece.byteLevel)) }
            }
        }
        pieces = out
    }
}

/// Splits on whitespace and removes it (HF `WhitespaceSplit`).
public struct WhitespaceSplit: PreTokenizer {
    public init() {}
    public func preTokenize(_ text: inout NormalizedText, _ pieces: inout [Piece]) {
        let classes = CharacterClass.table
        Self.split(text, &pieces) { cp in
            (cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x80 && classes.of(cp).contains(.whitespace))) ? .remove : .keep
        }
    }
    public var json: JSONValue { .object([("type", "WhitespaceSplit")]) }
}

/// BERT's pre-tokenizer: splits on whitespace (removed) and isolates every punctuation
/// character.
public struct BertPreTokenizer: PreTokenizer {
    public init() {}
    public func preTokenize(_ text: inout NormalizedText, _ pieces: inout [Piece]) {
        let classes = CharacterClass.table
        Self.split(text, &pieces) { cp in
            if cp < 0x80 {
                if cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) { return .remove }
                return classes.of(cp).contains(.bertPunctuation) ? .isolate : .keep
            }
            let cls = classes.of(cp)
            if cls.contains(.whitespace) { return .remove }
            return cls.contains(.bertPunctuation) ? .isolate : .keep
        }
    }
    public var json: JSONValue { .object([("type", "BertPreTokenizer")]) }
}

/// HF `Whitespace`: the pattern `\w+|[^\w\s]+` — runs of word characters and runs of other
/// non-space characters; whitespace is dropped.
public struct Whitespace: PreTokenizer {
    public init() {}
    public func preTokenize(_ text: inout NormalizedText, _ pieces: inout [Piece]) {
        text.bytes.withUnsafeBufferPointer { b in
            if pieces.count == 1 {
                // The usual case (the whole text): split into the same buffer.
                let only = pieces[0]
                pieces.removeAll(keepingCapacity: true)
                Self.split(b, only, into: &pieces)
                return
            }
            var out: [Piece] = []
            out.reserveCapacity(pieces.count + b.count / 4)
            for piece in pieces { Self.split(b, piece, into: &out) }
            pieces = out
        }
    }

    private static func split(_ b: UnsafeBufferPointer<UInt8>, _ piece: Piece, into out: inout [Piece]) {
        let classes = CharacterClass.table
        var start = -1
        var runIsWord = false
        var i = piece.start
        while i < piece.end {
            let x = b[i]
            let cls: CharacterClass
            let len: Int
            if x < 0x80 {
                cls = CharacterClass(rawValue: classes.flags[Int(x)])
                len = 1
            } else {
                let (cp, l) = decodeScalar(b, i)
                cls = classes.of(cp)
                len = l
            }
            if cls.contains(.whitespace) {
                if start >= 0 { out.append(Piece(start: start, end: i, byteLevel: piece.byteLevel)) }
                start = -1
            } else {
                let word = cls.contains(.word)
                if start >= 0 && word != runIsWord {
                    out.append(Piece(start: start, end: i, byteLevel: piece.byteLevel))
                    start = -1
                }
                if start < 0 {
                    start = i
                    runIsWord = word
                }
            }
            i += len
        }
        if start >= 0 { out.append(Piece(start: start, end: piece.end, byteLevel: piece.byteLevel)) }
    }

    public var json: JSONValue { .object([("type", "Whitespace")]) }
}

/// HF `Digits`: isolates ASCII digits, each one alone (`individualDigits`) or in runs.
public struct Digits: PreTokenizer {
    public let individualDigits: Bool
    public init(individualDigits: Bool = false) { self.individualDigits = individualDigits }
    public func preTokenize(_ text: inout NormalizedText, _ pieces: inout [Piece]) {
        if individualDigits {
            Self.split(text, &pieces) { cp in cp >= 0x30 && cp <= 0x39 ? .isolate : .keep }
            return
        }
        var out: [Piece] = []
        for piece in pieces {
            var start = piece.start
            var i = piece.start
            var inDigits = false
            while i < piece.end {
                let isDigit = text.bytes[i] >= 0x30 && text.bytes[i] <= 0x39
                if i > start && isDigit != inDigits {
                    out.append(Piece(start: start, end: i, byteLevel: piece.byteLevel))
                    start = i
                }
                inDigits = isDigit
                i += utf8Length(text.bytes[i])
            }
            if piece.end > start { out.append(Piece(start: start, end: piece.end, byteLevel: piece.byteLevel)) }
        }
        pieces = out
    }
    public var json: JSONValue { .object([("type", "Digits"), ("individual_digits", .bool(individualDigits))]) }
}

/// Applies pre-tokenizers in order, each to the pieces of the previous.
public struct PreTokenizerSequence: PreTokenizer {
    public let preTokenizers: [any PreTokenizer]
    public init(_ preTokenizers: [any PreTokenizer]) { self.preTokenizers = preTokenizers }
    public func preTokenize(_ text: inout NormalizedText, _ pieces: inout [Piece]) {
        for p in preTokenizers { p.preTokenize(&text, &pieces) }
    }
    public var json: JSONValue {
        .object([("type", "Sequence"), ("pretokenizers", .array(preTokenizers.map(\.json)))])
    }
}
