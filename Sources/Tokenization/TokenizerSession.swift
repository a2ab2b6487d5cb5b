/// Encoding state for one thread: a word cache and scratch buffers, reused across calls. Keep
/// one per thread (or per request stream) and call `encode` repeatedly.
public final class TokenizerSession {
    public let tokenizer: Tokenizer
    var state: SessionState

    public init(_ tokenizer: Tokenizer, cacheSize: Int = 1 << 20) {
        self.tokenizer = tokenizer
        state = SessionState(cache: WordCache(maxEntries: cacheSize))
    }

    /// Encodes one text (see `Tokenizer.encode`).
    public func encode(_ text: String, addSpecialTokens: Bool = false, maxLength: Int? = nil) -> Encoding {
        state.encode(tokenizer, text, addSpecialTokens: addSpecialTokens, maxLength: maxLength)
    }
}

/// The mutable part of a session, as one value so a whole `encode` runs on one exclusive
/// access (class properties touched inside closures would be checked on every access).
struct SessionState {
    var cache: WordCache
    var scratch: [ModelToken] = []
    var mapped: [UInt8] = []
    var outIDs: [Int32] = []
    var outSpans: [TokenSpan] = []
    var workspace = ModelWorkspace()
    /// When set, `emit` logs each piece: its token range in the output, its text and span.
    var recordPieces = false
    var pieceLog: [(first: Int, end: Int, text: [UInt8], span: TokenSpan)] = []

    mutating func encode(_ tokenizer: Tokenizer, _ text: String, addSpecialTokens: Bool, maxLength: Int?) -> Encoding {
        outIDs.removeAll(keepingCapacity: true)
        outSpans.removeAll(keepingCapacity: true)
        var t = text
        t.withUTF8 { raw in
            let matches = tokenizer.rawMatcher.matches(in: raw)
            var position = 0
            for (start, end, token) in matches {
                if start > position { encodeSegment(tokenizer, raw, position, start) }
                outIDs.append(token.id)
                outSpans.append(TokenSpan(start, end))
                position = end
            }
            if position < raw.count { encodeSegment(tokenizer, raw, position, raw.count) }
        }
        var enc = Encoding(names: tokenizer.names, ids: outIDs, offsets: outSpans)
        if let maxLength {
            let keep = max(0, maxLength - (addSpecialTokens ? (tokenizer.postProcessor?.addedTokenCount() ?? 0) : 0))
            if enc.count > keep {
                enc.ids.removeSubrange(keep...)
                enc.offsets.removeSubrange(keep...)
                enc.typeIDs.removeSubrange(keep...)
                enc.specialTokensMask.removeSubrange(keep...)
                enc.attentionMask.removeSubrange(keep...)
            }
        }
        if let post = tokenizer.postProcessor {
            enc = post.process(enc, addSpecialTokens: addSpecialTokens)
        }
        return enc
    }

    private mutating func encodeSegment(_ tokenizer: Tokenizer, _ raw: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        var text = NormalizedText(Array(UnsafeBufferPointer(rebasing: raw[start..<end])), base: start)
        tokenizer.normalizer?.normalize(&text)
        if tokenizer.normalizedMatcher.isEmpty {
            encodeNormalized(tokenizer, &text, 0, text.bytes.count)
            return
        }
        let matches = text.bytes.withUnsafeBufferPointer { tokenizer.normalizedMatcher.matches(in: $0) }
        var position = 0
        for (s, e, token) in matches {
            if s > position { encodeNormalized(tokenizer, &text, position, s) }
            let (os, oe) = text.originalRange(s, e)
            outIDs.append(token.id)
            outSpans.append(TokenSpan(os, oe))
            position = e
        }
        if position < text.bytes.count { encodeNormalized(tokenizer, &text, position, text.bytes.count) }
    }

    private mutating func encodeNormalized(_ tokenizer: Tokenizer, _ text: inout NormalizedText, _ start: Int, _ end: Int) {
        guard end > start else { return }
        var pieces = [Piece(start: start, end: end)]
        if start != 0 || end != text.bytes.count {
            // A part of the text between normalized added tokens: pre-tokenize it alone.
            var part = text.slice(start, end)
            pieces = [Piece(start: 0, end: part.bytes.count)]
            tokenizer.preTokenizer?.preTokenize(&part, &pieces)
            emit(tokenizer.model, part, pieces)
            return
        }
        tokenizer.preTokenizer?.preTokenize(&text, &pieces)
        emit(tokenizer.model, text, pieces)
    }

    private mutating func emit(_ model: any TokenizationModel, _ text: NormalizedText, _ pieces: [Piece]) {
        text.withView { view in
            let b = view.bytes
            for piece in pieces where piece.end > piece.start {
                let word = UnsafeBufferPointer(rebasing: b[piece.start..<piece.end])
                if recordPieces {
                    let (s, e) = view.originalRange(piece.start, piece.end)
                    pieceLog.append((outIDs.count, outIDs.count, Array(word), TokenSpan(s, e)))
                }
                defer { if recordPieces { pieceLog[pieceLog.count - 1].end = outIDs.count } }
                let hash = fnv1a(word)
                var offset = piece.start
                if let range = cache.lookup(word, hash: hash) {
                    for k in range {
                        let tok = cache.tokens[k]
                        let (s, e) = view.originalRange(offset, offset + Int(tok.length))
                        outIDs.append(tok.id)
                        outSpans.append(TokenSpan(s, e))
                        offset += Int(tok.length)
                    }
                    continue
                }
                scratch.removeAll(keepingCapacity: true)
                if piece.byteLevel {
                    tokenizeByteLevel(model, word)
                } else {
                    model.tokenize(word, into: &scratch, workspace: &workspace)
                }
                for tok in scratch {
                    let (s, e) = view.originalRange(offset, offset + Int(tok.length))
                    outIDs.append(tok.id)
                    outSpans.append(TokenSpan(s, e))
                    offset += Int(tok.length)
                }
                cache.insert(word, hash: hash, scratch[...])
            }
        }
    }

    /// Tokenizes the byte-mapped spelling of `word`; token lengths come back in the word's
    /// bytes (one mapped character per byte).
    private mutating func tokenizeByteLevel(_ model: any TokenizationModel, _ word: UnsafeBufferPointer<UInt8>) {
        mapped.removeAll(keepingCapacity: true)
        for b in word { appendUTF8(ByteLevel.byteToScalar[Int(b)], to: &mapped) }
        mapped.withUnsafeBufferPointer { m in model.tokenize(m, into: &scratch, workspace: &workspace) }
        // Convert lengths from mapped bytes to characters (= original bytes).
        var position = 0
        for k in scratch.indices {
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

extension NormalizedText {
    /// A copy of the normalized bytes `start..<end` with their alignment.
    func slice(_ start: Int, _ end: Int) -> NormalizedText {
        var out = NormalizedText(Array(bytes[start..<end]), base: base)
        var starts: [Int32] = []
        var ends: [Int32] = []
        for i in start..<end {
            starts.append(Int32(originStart(i)))
            ends.append(Int32(originEnd(i)))
        }
        out.setAlignment(starts, ends)
        return out
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
        state.recordPieces = true
        defer {
            state.recordPieces = false
            state.pieceLog.removeAll(keepingCapacity: true)
        }
        let enc = state.encode(tokenizer, text, addSpecialTokens: false, maxLength: nil)
        return state.pieceLog.map { entry in
            TokenizedPiece(text: String(decoding: entry.text, as: UTF8.self), ids: Array(enc.ids[entry.first..<entry.end]), span: entry.span)
        }
    }
}
