import InterestCore

/// Encoding state for one thread: a word cache and scratch buffers, reused across calls. Keep
/// one per thread (or per request stream) and call `encode` repeatedly.
public final class TokenizerSession {
    public let tokenizer: Tokenizer
    var state: SessionState

    public init(_ tokenizer: Tokenizer, cacheSize: Int = 1 << 20) {
        self.tokenizer = tokenizer
        state = SessionState(tokenizer: tokenizer, cache: WordCache(maxEntries: cacheSize), direct: DirectTokenizer(tokenizer.model),
                             postProcessesPlain: Self.postProcessesPlain(tokenizer.postProcessor))
    }

    deinit { state.deallocate() }

    /// Whether the post-processor changes encodings without special tokens (byte-level offset
    /// trimming does; the BERT and template processors only add special tokens).
    private static func postProcessesPlain(_ post: (any PostProcessor)?) -> Bool {
        guard let post else { return false }
        return !(post is TemplateProcessing || post is BertProcessing)
    }

    /// Encodes one text (see `Tokenizer.encode`).
    public func encode(_ text: String, addSpecialTokens: Bool = false, maxLength: Int? = nil) -> Encoding {
        state.encode(text, addSpecialTokens: addSpecialTokens, maxLength: maxLength)
    }
}

/// The mutable part of a session, as one value so a whole `encode` runs on one exclusive
/// access (class properties touched inside closures would be checked on every access). Its raw
/// buffers belong to the owning `TokenizerSession`, which frees them.
struct SessionState {
    let tokenizer: Tokenizer
    /// The tokenizer's stages by reference: calling them copies nothing (an existential read
    /// from a struct is copied, retaining everything the stage holds, at every call).
    let stages: Stages
    var cache: WordCache
    /// The model's direct word algorithm, when it has one (the session's tokenizer keeps it
    /// alive).
    let direct: DirectTokenizer
    /// The segment being encoded (its buffers are reused from text to text).
    var text = NormalizedText([])
    var pieces: [Piece] = []
    /// Tokens of the current word.
    var scratch = TokenBuffer()
    /// Tokens of the current word from a model without a direct tokenizer.
    var modelTokens: [ModelToken] = []
    var mapped: [UInt8] = []
    var ids = RawBuffer<Int32>()
    var spans = RawBuffer<TokenSpan>()
    var workspace = ModelWorkspace()
    /// When set, `emit` logs each piece: its token range in the output, its text and span.
    var recordPieces = false
    var pieceLog: [(first: Int, end: Int, text: [UInt8], span: TokenSpan)] = []

    /// Whether the post-processor must see encodings without special tokens too.
    let postProcessesPlain: Bool

    init(tokenizer: Tokenizer, cache: WordCache, direct: DirectTokenizer, postProcessesPlain: Bool) {
        self.tokenizer = tokenizer
        stages = Stages(tokenizer)
        self.cache = cache
        self.direct = direct
        self.postProcessesPlain = postProcessesPlain
    }

    func deallocate() {
        cache.deallocate()
        scratch.deallocate()
        ids.deallocate()
        spans.deallocate()
    }

    mutating func encode(_ text: String, addSpecialTokens: Bool, maxLength: Int?) -> Encoding {
        ids.removeAll()
        spans.removeAll()
        var t = text
        t.withUTF8 { raw in
            var position = 0
            if !tokenizer.rawMatcher.isEmpty {
                for (start, end, token) in tokenizer.rawMatcher.matches(in: raw) {
                    if start > position { encodeSegment(raw, position, start) }
                    ids.append(token.id)
                    spans.append(TokenSpan(start, end))
                    position = end
                }
            }
            if position < raw.count { encodeSegment(raw, position, raw.count) }
        }
        var enc = Encoding(names: tokenizer.names, ids: ids.array(), offsets: spans.array())
        if let maxLength {
            let keep = max(0, maxLength - (addSpecialTokens ? (tokenizer.postProcessor?.addedTokenCount() ?? 0) : 0))
            enc.truncate(to: keep)
        }
        if addSpecialTokens || postProcessesPlain, let post = stages.postProcessor {
            enc = post.process(enc, addSpecialTokens: addSpecialTokens)
        }
        return enc
    }

    private mutating func encodeSegment(_ raw: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        text.reset(UnsafeBufferPointer(rebasing: raw[start..<end]), base: start)
        stages.normalize?(&text)
        let matches = tokenizer.normalizedMatcher.isEmpty ? [] : text.bytes.withUnsafeBufferPointer { tokenizer.normalizedMatcher.matches(in: $0) }
        if matches.isEmpty {
            preTokenizeAndEmit()
            return
        }
        // Added tokens matched after normalization: the parts between them are pre-tokenized
        // alone.
        var position = 0
        for (s, e, token) in matches {
            if s > position { encodePart(position, s) }
            let (os, oe) = text.originalRange(s, e)
            ids.append(token.id)
            spans.append(TokenSpan(os, oe))
            position = e
        }
        if position < text.bytes.count { encodePart(position, text.bytes.count) }
    }

    /// Pre-tokenizes and encodes the whole of `text`.
    private mutating func preTokenizeAndEmit() {
        guard !text.bytes.isEmpty else { return }
        pieces.removeAll(keepingCapacity: true)
        pieces.append(Piece(start: 0, end: text.bytes.count))
        stages.preTokenizer?.preTokenize(&text, &pieces)
        // Moved out while `emit` reads them (no copies, no reference counting).
        var text = NormalizedText([])
        var pieces: [Piece] = []
        swap(&text, &self.text)
        swap(&pieces, &self.pieces)
        emit(text, pieces)
        swap(&text, &self.text)
        swap(&pieces, &self.pieces)
    }

    /// Pre-tokenizes and encodes normalized bytes `start..<end` of `text`, as a text of its own.
    private mutating func encodePart(_ start: Int, _ end: Int) {
        guard end > start else { return }
        var part = text.slice(start, end)
        var parts = [Piece(start: 0, end: part.bytes.count)]
        stages.preTokenizer?.preTokenize(&part, &parts)
        emit(part, parts)
    }

    private mutating func emit(_ text: NormalizedText, _ pieces: [Piece]) {
        text.withView { view in
            let b = view.bytes
            var cursor = 0
            var pieceCursor = 0
            for piece in pieces where piece.end > piece.start {
                let word = UnsafeBufferPointer(rebasing: b[piece.start..<piece.end])
                if recordPieces {
                    let (s, e) = view.originalRange(piece.start, piece.end, cursor: &pieceCursor)
                    pieceLog.append((ids.count, ids.count, Array(word), TokenSpan(s, e)))
                }
                defer { if recordPieces { pieceLog[pieceLog.count - 1].end = ids.count } }
                let cached = !cache.bypasses(word.count)
                let hash = cached ? wordHash(word) : 0
                if cached, let (tokens, count) = cache.lookup(word, hash: hash) {
                    ids.reserve(count)
                    spans.reserve(count)
                    var offset = piece.start
                    for k in 0..<count {
                        let packed = tokens[k]
                        let end = offset + Int(packed & 0xFF)
                        let (s, e) = view.originalRange(offset, end, cursor: &cursor)
                        ids.append(Int32(bitPattern: packed >> 8))
                        spans.append(TokenSpan(s, e))
                        offset = end
                    }
                    continue
                }
                scratch.removeAll()
                if piece.byteLevel {
                    tokenizeByteLevel(word)
                } else {
                    tokenize(word)
                }
                ids.reserve(scratch.count)
                spans.reserve(scratch.count)
                var offset = piece.start
                for tok in scratch.elements {
                    let end = offset + Int(tok.length)
                    let (s, e) = view.originalRange(offset, end, cursor: &cursor)
                    ids.append(tok.id)
                    spans.append(TokenSpan(s, e))
                    offset = end
                }
                if cached { cache.insert(word, hash: hash, scratch.elements) }
            }
        }
    }

    /// Appends the model's tokens of `word` to `scratch`; BPE keeps word parts in the cache
    /// when `cachingParts` (not for byte-mapped spellings, whose bytes and lengths are not the
    /// input's: the cache is keyed by input bytes).
    @inline(__always)
    private mutating func tokenize(_ word: UnsafeBufferPointer<UInt8>, cachingParts: Bool = true) {
        switch direct {
        case .bpe(let bpe):
            if cachingParts {
                bpe._withUnsafeGuaranteedRef { $0.tokenize(word, into: &scratch, scratch: &workspace.bytes, memo: &cache) }
            } else {
                bpe._withUnsafeGuaranteedRef { $0.tokenize(word, into: &scratch, scratch: &workspace.bytes) }
            }
            return
        case .wordPiece(let wordPiece):
            wordPiece._withUnsafeGuaranteedRef { $0.tokenize(word, into: &scratch) }
            return
        case .none:
            break
        }
        modelTokens.removeAll(keepingCapacity: true)
        stages.model.tokenize(word, into: &modelTokens, workspace: &workspace)
        modelTokens.withUnsafeBufferPointer { scratch.append(contentsOf: $0) }
    }

    /// Tokenizes the byte-mapped spelling of `word`; token lengths come back in the word's
    /// bytes (one mapped character per byte).
    private mutating func tokenizeByteLevel(_ word: UnsafeBufferPointer<UInt8>) {
        // Taken out of `self` while the model reads it (the buffer keeps its capacity).
        var mapped = self.mapped
        self.mapped = []
        defer { self.mapped = mapped }
        mapped.removeAll(keepingCapacity: true)
        for b in word { appendUTF8(ByteLevel.byteToScalar[Int(b)], to: &mapped) }
        let first = scratch.count
        mapped.withUnsafeBufferPointer { m in tokenize(m, cachingParts: false) }
        // Convert lengths from mapped bytes to characters (= original bytes).
        var position = 0
        for k in first..<scratch.count {
            let end = position + Int(scratch[k].length)
            var chars: Int32 = 0
            var i = position
            while i < end {
                chars += 1
                i += utf8Length(mapped[i])
            }
            scratch[k].length = chars
            position = end
        }
    }
}

/// A tokenizer's stages, held by one reference.
final class Stages: Sendable {
    /// The normalizer, opened once (calling an existential copies it, with its references).
    let normalize: (@Sendable (inout NormalizedText) -> Void)?
    let preTokenizer: (any PreTokenizer)?
    let model: any TokenizationModel
    let postProcessor: (any PostProcessor)?

    init(_ tokenizer: Tokenizer) {
        if let normalizer = tokenizer.normalizer {
            normalize = { (text: inout NormalizedText) in normalizer.normalize(&text) }
        } else {
            normalize = nil
        }
        preTokenizer = tokenizer.preTokenizer
        model = tokenizer.model
        postProcessor = tokenizer.postProcessor
    }
}

/// One pre-tokenized word of a text (after normalization) and its model tokens.
public struct TokenizedPiece: Sendable, Equatable {
    /// The normalized word (e.g. lowercased), as the model saw it.
    public let text: String
    public let ids: [Int32]
    /// Original byte range of the word.
    public let span: TokenSpan
}

extension TokenizerSession {
    /// The text's words as the normalizer and pre-tokenizer cut them, each with its tokens
    /// (added tokens in the text are skipped). Used to assemble readable terms from tokens.
    public func pieces(_ text: String) -> [TokenizedPiece] {
        idsAndPieces(text).pieces
    }

    /// `encode(text).ids` and `pieces(text)` from one encoding pass.
    public func idsAndPieces(_ text: String) -> (ids: [Int32], pieces: [TokenizedPiece]) {
        state.recordPieces = true
        defer {
            state.recordPieces = false
            state.pieceLog.removeAll(keepingCapacity: true)
        }
        let enc = state.encode(text, addSpecialTokens: false, maxLength: nil)
        let pieces = state.pieceLog.map { entry in
            TokenizedPiece(text: String(decoding: entry.text, as: UTF8.self), ids: Array(enc.ids[entry.first..<entry.end]), span: entry.span)
        }
        return (enc.ids, pieces)
    }
}
