import InterestCore

/// One token of a word: its id and how many input bytes of the word it covers.
public struct ModelToken: Sendable, Equatable, BitwiseCopyable {
    public var id: Int32
    public var length: Int32

    public init(id: Int32, length: Int32) {
        self.id = id
        self.length = length
    }
}

/// The model stage: turns one pre-tokenized word into tokens (HF models).
public protocol TokenizationModel: Sendable {
    var vocabulary: TokenVocabulary { get }
    /// Appends the tokens of `word` (UTF-8) to `out`; their lengths add up to the word's.
    /// `workspace` holds reusable scratch memory (one per thread).
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, into out: inout [ModelToken], workspace: inout ModelWorkspace)
    var json: JSONValue { get }
}

/// Scratch memory a model reuses across words, so tokenizing allocates nothing per word.
public struct ModelWorkspace {
    var symbols: [ModelToken] = []
    var ranks: [Int32] = []
    var merged: [Int32] = []
    var bytes: [UInt8] = []

    public init() {}
}

extension TokenizationModel {
    /// Convenience: the tokens of a word given as a string.
    public func tokenize(_ word: String) -> [ModelToken] {
        var out: [ModelToken] = []
        var workspace = ModelWorkspace()
        var w = word
        w.withUTF8 { tokenize($0, into: &out, workspace: &workspace) }
        return out
    }
}

/// A byte trie over a vocabulary, for longest-prefix matches in one forward walk.
struct VocabularyTrie: Sendable {
    /// (node << 8 | byte) → child node.
    private var edges: IntMap
    /// Token id ending at each node, or -1.
    private var terminal: [Int32] = [-1]

    init(_ vocabulary: TokenVocabulary) {
        edges = IntMap(capacity: vocabulary.tokens.reduce(0) { $0 + $1.utf8.count })
        for (id, token) in vocabulary.tokens.enumerated() {
            var node: UInt64 = 0
            for b in token.utf8 {
                let key = node << 8 | UInt64(b)
                if let child = edges.get(key) {
                    node = child
                } else {
                    let child = UInt64(terminal.count)
                    terminal.append(-1)
                    edges.set(key, child)
                    node = child
                }
            }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(id) }
        }
    }

    /// The node reached by walking `bytes` from the root, or nil.
    func walk(_ bytes: some Sequence<UInt8>, from start: UInt64 = 0) -> UInt64? {
        var node = start
        for b in bytes {
            guard let child = edges.get(node << 8 | UInt64(b)) else { return nil }
            node = child
        }
        return node
    }

    /// The longest token spelled by a prefix of `word[from..<word.count]`, starting the walk
    /// at `node`: (id, end index), or nil.
    @inline(__always)
    func longestMatch(_ word: UnsafeBufferPointer<UInt8>, from: Int, node start: UInt64) -> (Int32, Int)? {
        var node = start
        var best: (Int32, Int)?
        var i = from
        while i < word.count {
            guard let child = edges.get(node << 8 | UInt64(word[i])) else { break }
            node = child
            i += 1
            let t = terminal[Int(node)]
            if t >= 0 { best = (t, i) }
        }
        return best
    }
}

/// WordPiece (Schuster & Nakajima 2012; BERT's tokenizer): each word is cut greedily into the
/// longest vocabulary entries, pieces after the first spelled with `continuingSubwordPrefix`;
/// a word with any unmatched part, or longer than `maxInputCharsPerWord` characters, becomes
/// the unknown token as a whole.
public struct WordPiece: TokenizationModel {
    public let vocabulary: TokenVocabulary
    public let unknownToken: String
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int
    /// The trie and the word algorithm (shared, so sessions call it without copies).
    let encoder: WordPieceEncoder

    public init(vocabulary: TokenVocabulary, unknownToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
                maxInputCharsPerWord: Int = 100) throws(TokenizationError) {
        guard let unk = vocabulary.id(of: unknownToken) else {
            throw .invalidVocabulary(reason: "the unknown token '\(unknownToken)' is not in the vocabulary")
        }
        self.vocabulary = vocabulary
        self.unknownToken = unknownToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        encoder = WordPieceEncoder(vocabulary: vocabulary, unknownID: unk, continuingSubwordPrefix: continuingSubwordPrefix,
                                   maxInputCharsPerWord: maxInputCharsPerWord)
    }

    public func tokenize(_ word: UnsafeBufferPointer<UInt8>, into out: inout [ModelToken], workspace: inout ModelWorkspace) {
        var buffer = TokenBuffer(capacity: 16)
        defer { buffer.deallocate() }
        encoder.tokenize(word, into: &buffer)
        out.append(contentsOf: buffer.elements)
    }

    public var json: JSONValue {
        .object([
            ("type", "WordPiece"), ("unk_token", .string(unknownToken)),
            ("continuing_subword_prefix", .string(continuingSubwordPrefix)),
            ("max_input_chars_per_word", .int(maxInputCharsPerWord)),
            ("vocab", .object(vocabulary.tokens.enumerated().map { ($0.element, .int($0.offset)) })),
        ])
    }
}

/// A model's word algorithm, reached without an existential or reference counting: the
/// encoding hot path (models without one go through `tokenize(_:into:workspace:)`). Unowned:
/// valid while the model it came from is alive (a session keeps its tokenizer, hence the model).
enum DirectTokenizer {
    case bpe(Unmanaged<BPEEncoder>)
    case wordPiece(Unmanaged<WordPieceEncoder>)
    case none

    init(_ model: any TokenizationModel) {
        if let bpe = model as? BPE {
            self = .bpe(Unmanaged.passUnretained(bpe.encoder))
        } else if let wordPiece = model as? WordPiece {
            self = .wordPiece(Unmanaged.passUnretained(wordPiece.encoder))
        } else {
            self = .none
        }
    }
}

/// The word algorithm of `WordPiece`.
final class WordPieceEncoder: Sendable {
    let unknownID: Int32
    let maxInputCharsPerWord: Int
    private let trie: VocabularyTrie
    private let prefixNode: UInt64?

    init(vocabulary: TokenVocabulary, unknownID: Int32, continuingSubwordPrefix: String, maxInputCharsPerWord: Int) {
        self.unknownID = unknownID
        self.maxInputCharsPerWord = maxInputCharsPerWord
        trie = VocabularyTrie(vocabulary)
        prefixNode = trie.walk(continuingSubwordPrefix.utf8)
    }

    /// Appends the tokens of `word` to `out`.
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, into out: inout TokenBuffer) {
        var chars = 0
        for b in word where b & 0xC0 != 0x80 { chars += 1 }
        if chars > maxInputCharsPerWord {
            out.append(ModelToken(id: unknownID, length: Int32(word.count)))
            return
        }
        let mark = out.count
        var start = 0
        while start < word.count {
            let node: UInt64? = start == 0 ? 0 : prefixNode
            guard let node, let (id, end) = trie.longestMatch(word, from: start, node: node) else {
                out.count = mark
                out.append(ModelToken(id: unknownID, length: Int32(word.count)))
                return
            }
            out.append(ModelToken(id: id, length: Int32(end - start)))
            start = end
        }
    }
}
