import InterestCore
import Synchronization
import Tokenization

/// The kinds of readable terms.
public enum TermKind: Int, Sendable, Codable, CaseIterable {
    /// A whole word ("lipstick").
    case word = 1
    /// Two adjacent words that often go together ("fly rod", "哑光口红").
    case phrase = 2
    /// A multi-character CJK unit learned by the tokenizer (口红, 洗发水).
    case cjkWord = 3
}

/// A readable term and in how many texts it occurs.
public struct Term: Sendable, Equatable {
    public let text: String
    public let kind: TermKind
    public let documentFrequency: Int

    public init(text: String, kind: TermKind, documentFrequency: Int) {
        self.text = text
        self.kind = kind
        self.documentFrequency = documentFrequency
    }
}

/// Assembles readable terms from tokenized text: whole words (the pre-tokenizer's pieces that
/// contain a letter and are not stop words or numbers), multi-character CJK units (the
/// tokenizer's tokens of two or more CJK characters inside a CJK run — never single characters
/// or `##` pieces; tokens longer than four characters split along their merges), and two-word
/// phrases of adjacent units that co-occur often (CJK compounds up to four characters).
public struct TermExtractor: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Words and CJK units must occur in at least this many texts.
        public var minDocumentFrequency = 3
        /// Phrases must occur in at least this many texts …
        public var minPhraseFrequency = 4
        /// … and in at least this share of the texts of their rarer word.
        public var minPhraseAssociation = 0.1
        /// The most frequent terms kept.
        public var maxTerms = 100_000

        public init() {}
    }

    public let settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// A text's readable units in order, `nil` marking a boundary (punctuation, numbers,
    /// stop words) that phrases may not cross.
    public static func units(_ pieces: [TokenizedPiece], tokenizer: Tokenizer, splitter: CJKSplitter? = nil) -> [(String, TermKind)?] {
        var out: [(String, TermKind)?] = []
        for piece in pieces {
            let scalars = piece.text.unicodeScalars
            guard let first = scalars.first else { continue }
            if isCJK(first.value) {
                var any = false
                for id in piece.ids {
                    guard let token = tokenizer.token(of: id) else { continue }
                    for part in splitter?.split(token) ?? [token] {
                        let ts = part.unicodeScalars
                        if ts.count >= 2, ts.allSatisfy({ isCJK($0.value) }), !StopWords.contains(part) {
                            out.append((part, .cjkWord))
                            any = true
                        } else {
                            out.append(nil)
                        }
                    }
                }
                if !any { out.append(nil) }
                continue
            }
            let hasLetter = scalars.contains { $0.properties.isAlphabetic }
            let word = piece.text
            if hasLetter, scalars.count >= 2, !StopWords.contains(word), !word.hasPrefix("##") {
                out.append((word, .word))
            } else {
                out.append(nil)
            }
        }
        return out
    }

    /// Terms in one text (words, CJK units and adjacent pairs), deduplicated, in order.
    public static func candidates(_ pieces: [TokenizedPiece], tokenizer: Tokenizer, splitter: CJKSplitter? = nil) -> [(String, TermKind)] {
        let u = units(pieces, tokenizer: tokenizer, splitter: splitter)
        var seen = Set<String>()
        var out: [(String, TermKind)] = []
        for (k, unit) in u.enumerated() {
            guard let (text, kind) = unit else { continue }
            if seen.insert(text).inserted { out.append((text, kind)) }
            if k + 1 < u.count, let (next, nextKind) = u[k + 1] {
                if kind == .cjkWord && nextKind == .cjkWord {
                    // CJK compounds (哑光 + 口红); longer pairs are clauses, not terms.
                    let joined = text + next
                    if joined.unicodeScalars.count <= 4, seen.insert(joined).inserted { out.append((joined, .phrase)) }
                } else if kind != .cjkWord && nextKind != .cjkWord {
                    let joined = text + " " + next
                    if seen.insert(joined).inserted { out.append((joined, .phrase)) }
                }
            }
        }
        return out
    }

    /// Counts candidate terms over texts and keeps the readable, frequent, associated ones,
    /// most frequent first (ties alphabetical).
    public func extract(_ texts: [String], tokenizer: Tokenizer, threads: Int = 2) -> [Term] {
        var counter = TermCounter(tokenizer: tokenizer)
        counter.add(texts, threads: threads)
        return counter.terms(settings)
    }

    /// A text's candidates as stored beside its vector (so reading a user's terms needs no
    /// tokenizer): one line per term, its kind's digit then the term. Terms never hold a line break.
    public static func stored(_ candidates: [(String, TermKind)]) -> String {
        candidates.map { "\($0.1.rawValue)\($0.0)" }.joined(separator: "\n")
    }

    /// The candidates of `stored(_:)`; lines that are not a kind digit and a term are skipped.
    public static func candidates(stored: String) -> [(String, TermKind)] {
        stored.split(separator: "\n").compactMap { line in
            guard let first = line.first, let digit = first.wholeNumberValue, let kind = TermKind(rawValue: digit), line.count > 1 else { return nil }
            return (String(line.dropFirst()), kind)
        }
    }

}

/// A candidate term as counted: its text and how it was read.
struct TermKey: Hashable, Sendable {
    let text: String
    let kind: TermKind
}

/// Document frequencies of candidate terms, accumulated over batches of texts.
public struct TermCounter: Sendable {
    let tokenizer: Tokenizer
    let splitter: CJKSplitter
    private var df: [TermKey: Int] = [:]

    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
        splitter = CJKSplitter(tokenizer: tokenizer)
    }

    public mutating func add(_ texts: [String], threads: Int = 2) {
        _ = addReturningTerms(texts, threads: threads)
    }

    /// Counts the texts and returns each text's candidate terms (deduplicated, in order). Each
    /// thread counts its share of the texts and the shares' counts are merged: counting every
    /// occurrence on one thread left the other core idle for a sixth of the text-vector stage at
    /// a million users (~140 M occurrences).
    public mutating func addReturningTerms(_ texts: [String], threads: Int = 2) -> [[(String, TermKind)]] {
        addReturningTerms(texts, threads: threads, alsoFromIDs: { _ in () }).map(\.terms)
    }

    /// The same, and `also(ids)` of each text's token ids from the same tokenization (a SIF
    /// vector, say: one pass over the text instead of two).
    public mutating func addReturningTerms<Extra: Sendable>(_ texts: [String], threads: Int, alsoFromIDs also: @Sendable ([Int32]) -> Extra)
        -> [(terms: [(String, TermKind)], extra: Extra)] {
        let tokenizer = self.tokenizer
        let splitter = self.splitter
        let chunks = max(1, min(threads, texts.count))
        let parts = Mutex<[(out: [(terms: [(String, TermKind)], extra: Extra)], counts: [TermKey: Int])]>(Array(repeating: ([], [:]), count: chunks))
        parallelChunks(count: texts.count, chunks: chunks) { c, range in
            let session = TokenizerSession(tokenizer)
            var out: [(terms: [(String, TermKind)], extra: Extra)] = []
            out.reserveCapacity(range.count)
            var counts: [TermKey: Int] = [:]
            for i in range {
                let (ids, pieces) = session.idsAndPieces(texts[i])
                let list = TermExtractor.candidates(pieces, tokenizer: tokenizer, splitter: splitter)
                for (text, kind) in list { counts[TermKey(text: text, kind: kind), default: 0] += 1 }
                out.append((list, also(ids)))
            }
            parts.withLock { $0[c] = (out, counts) }
        }
        return parts.withLock { done in
            for part in done {
                if df.isEmpty { df = part.counts } else { df.merge(part.counts, uniquingKeysWith: +) }
            }
            return done.flatMap(\.out)
        }
    }

    /// The readable, frequent, associated terms, most frequent first (ties alphabetical).
    public func terms(_ settings: TermExtractor.Settings) -> [Term] {
        var single: [String: Int] = [:]
        for (key, n) in df where key.kind != .phrase { single[key.text] = max(single[key.text] ?? 0, n) }
        var terms: [Term] = []
        for (key, n) in df {
            let (kind, text) = (key.kind, key.text)
            switch kind {
            case .word, .cjkWord:
                if n >= settings.minDocumentFrequency { terms.append(Term(text: text, kind: kind, documentFrequency: n)) }
            case .phrase:
                guard n >= settings.minPhraseFrequency else { continue }
                let parts = text.contains(" ") ? text.split(separator: " ").map(String.init) : []
                let rarer = parts.map { single[$0] ?? n }.min() ?? n
                if Double(n) >= settings.minPhraseAssociation * Double(rarer) {
                    terms.append(Term(text: text, kind: .phrase, documentFrequency: n))
                }
            }
        }
        terms.sort { $0.documentFrequency != $1.documentFrequency ? $0.documentFrequency > $1.documentFrequency : $0.text < $1.text }
        // One entry per text: a CJK compound can be both a learned token (cjkWord) and a pair of
        // smaller ones (phrase); the more frequent reading stays (ties: the single unit).
        var byText: [String: Int] = [:]
        var unique: [Term] = []
        for t in terms {
            if let k = byText[t.text] {
                if unique[k].documentFrequency == t.documentFrequency && unique[k].kind == .phrase && t.kind != .phrase { unique[k] = t }
                continue
            }
            byText[t.text] = unique.count
            unique.append(t)
        }
        return Array(unique.prefix(settings.maxTerms))
    }
}

/// Splits long CJK tokens into word-sized parts along BPE's own merge history: a token made by
/// merging `left` and `right` splits there, recursively, until every part has at most
/// `maxCharacters` characters. BPE merges the most frequent pairs first, so the last merge of a
/// frequent clause (洗发水很好用 = 洗发水 + 很好用) usually falls on a word boundary.
public struct CJKSplitter: Sendable {
    public let maxCharacters: Int
    /// The BPE model whose merge history splits tokens (nil: nothing splits). Construction
    /// indexes nothing: the model already knows each token's first merge.
    private let bpe: BPE?

    public init(tokenizer: Tokenizer, maxCharacters: Int = 4) {
        self.maxCharacters = maxCharacters
        bpe = tokenizer.model as? BPE
    }

    public func split(_ token: String) -> [String] {
        guard token.unicodeScalars.count > maxCharacters, let (a, b) = bpe?.merge(producing: token) else { return [token] }
        return split(a) + split(b)
    }
}

@inline(__always) func isCJK(_ cp: UInt32) -> Bool {
    (0x3400...0x4DBF).contains(cp) || (0x4E00...0x9FFF).contains(cp) || (0xF900...0xFAFF).contains(cp)
        || (0x3040...0x30FF).contains(cp) || (0x20000...0x2FA1F).contains(cp)
}
