import CTransformerKernels
import Dispatch
import InterestCore
import Tokenization

/// A pretrained sentence encoder: a BERT transformer (Devlin et al. 2019) run as
/// sentence-transformers runs it (Reimers & Gurevych 2019) — WordPiece ids with [CLS]/[SEP],
/// truncated to the model's maximum length; embeddings + LayerNorm; N layers of multi-head
/// self-attention and GELU feed-forward, each with residual + LayerNorm; mean (or [CLS])
/// pooling over the sequence's tokens; unit length. Built for all-MiniLM-L6-v2 (Wang et al.
/// 2020, MiniLM; 6 layers, 384 dimensions), it runs any BERT encoder of that form.
///
/// Matrix products go through OpenBLAS `cblas_sgemm`, the element-wise stages through C
/// kernels with AVX-512/AVX2 variants. `encode` tokenizes on `threads` threads, sorts texts by
/// length, packs them into batches of about `batchTokens` tokens and runs the batches on
/// `threads` workers, each with its own scratch memory and single-threaded BLAS calls.
///
/// A text that yields no token of its own (blank text) gets the empty vector; a text of only
/// unknown characters is encoded ([UNK] tokens), as sentence-transformers does.
public struct TransformerEncoder: TextEncoder {
    public let configuration: BERTConfiguration
    public let pooling: Pooling
    public let tokenizer: Tokenizer
    /// The longest sequence encoded, special tokens included; longer texts are truncated.
    public let maxLength: Int
    /// Lower-case texts before tokenizing (`do_lower_case` of sentence_bert_config.json).
    public let lowercase: Bool
    /// Tokens per batch: enough rows for the matrix products to run near the BLAS's peak, few
    /// enough that a batch's activations stay in the processor's caches.
    public var batchTokens = 2048
    /// The most sequences per batch.
    public var batchSequences = 64
    let weights: BERTWeights
    /// Tokens of an empty text ([CLS] [SEP]).
    let emptyLength: Int

    public var dimension: Int { configuration.hiddenSize }

    /// Loads a sentence-transformers model from its files. `maxLength` overrides
    /// `max_seq_length` of sentence_bert_config.json (2…max_position_embeddings).
    public init(files: SentenceTransformerFiles, maxLength: Int? = nil) throws(TextEmbeddingError) {
        let config = try BERTConfiguration(json: files.config)
        if let modules = files.modules { try SentenceConfiguration.checkModules(modules) }
        let sentence = try SentenceConfiguration(json: files.sentenceConfig, tokenizerConfig: files.tokenizerConfig)
        pooling = try Pooling(json: files.pooling, hiddenSize: config.hiddenSize)
        do { tokenizer = try Tokenizer(json: files.tokenizer) } catch {
            throw .malformedModelFile(file: SentenceTransformerFiles.tokenizerName, reason: error.description)
        }
        emptyLength = tokenizer.encode("", addSpecialTokens: true).count
        guard config.maxPositions > emptyLength else {
            throw .malformedModelFile(file: SentenceTransformerFiles.configName, reason: "max_position_embeddings \(config.maxPositions) leaves no room "
                                      + "for a token besides the \(emptyLength) special ones tokenizer.json adds")
        }
        let length = maxLength ?? min(sentence.maxSequenceLength ?? config.maxPositions, config.maxPositions)
        guard length > emptyLength && length <= config.maxPositions else {
            throw .invalidSetting(name: "max length", reason: "\(length) is outside \(emptyLength + 1)…\(config.maxPositions) "
                                  + "(room for a token besides \(emptyLength) special ones, up to the model's max_position_embeddings)")
        }
        guard tokenizer.vocabularySize <= config.vocabularySize else {
            throw .unsupportedArchitecture(reason: "tokenizer.json has \(tokenizer.vocabularySize) tokens, the model's embedding table \(config.vocabularySize)")
        }
        weights = try BERTWeights(SafeTensors(bytes: files.weights, file: SentenceTransformerFiles.weightsName), config: config)
        configuration = config
        self.maxLength = length
        lowercase = sentence.lowercase
        if let why = tk_blas_error() { throw .missingLibrary(reason: String(cString: why)) }
    }

    /// OpenBLAS's kernel family in use (e.g. "SkylakeX") and the element-wise kernels' level.
    public static var kernels: (blas: String, elementWise: String) {
        let core = String(cString: tk_blas_setup())
        return (core.isEmpty ? "unknown" : core, ["portable C", "AVX2+FMA", "AVX-512"][Int(max(0, min(2, tk_kernel_level())))])
    }

    /// The token ids the model sees for a text: [CLS] … [SEP], truncated to `maxLength`.
    public func tokenIDs(_ text: String, session: TokenizerSession) -> [Int32] {
        session.encode(lowercase ? text.lowercased() : text, addSpecialTokens: true, maxLength: maxLength).ids
    }

    public func encode(_ texts: [String], threads: Int = 1) -> [TextVector] {
        let ids = parallelMap(texts, threads: threads, makeState: { TokenizerSession(tokenizer) }) { session, text in
            let ids = tokenIDs(text, session: session)
            return ids.count > emptyLength ? ids : []
        }
        let vectors = encode(ids: ids, threads: threads)
        return zip(ids, vectors).map { ids, v in ids.isEmpty ? .empty(dimension: dimension) : TextVector(values: v, isEmpty: false) }
    }

    /// Unit vectors of token-id sequences as `tokenIDs` makes them (ids below the vocabulary
    /// size; longer sequences are cut at `maxLength`; empty ones get zeros). The result does not
    /// depend on `threads`.
    func encode(ids sequences: [[Int32]], threads: Int = 1) -> [[Float]] {
        let h = dimension
        let order = sequences.indices.filter { !sequences[$0].isEmpty }
            .sorted { (sequences[$0].count, $1) > (sequences[$1].count, $0) }
        let batches = batchRanges(order.map { min(sequences[$0].count, maxLength) })
        let capacity = batches.map { r in r.reduce(0) { $0 + min(sequences[order[$1]].count, maxLength) } }.max() ?? 0
        let longest = order.first.map { min(sequences[$0].count, maxLength) } ?? 0
        let members = batches.map(\.count).max() ?? 0
        let out = SharedFloats([Float](repeating: 0, count: sequences.count * h))
        let next = AtomicCounter()
        let workers = max(1, min(threads, batches.count))
        parallelPerform(iterations: workers) { _ in
            let workspace = TransformerWorkspace(config: configuration, capacity: capacity, maxLength: longest)
            let rows = UnsafeMutablePointer<Float>.allocate(capacity: max(1, members * h))
            defer { rows.deallocate() }
            while true {
                let b = next.add(1)
                guard b < batches.count else { break }
                let members = batches[b].map { order[$0] }
                let batch = members.map { i in sequences[i].count > maxLength ? Array(sequences[i].prefix(maxLength)) : sequences[i] }
                forward(batch, workspace: workspace, out: rows)
                for (s, i) in members.enumerated() { (out.pointer + i * h).update(from: rows + s * h, count: h) }
            }
        }
        let flat = out.array()
        return sequences.indices.map { Array(flat[($0 * h)..<(($0 + 1) * h)]) }
    }

    /// Batches of consecutive sequences (of these lengths, longest first) within the token and
    /// sequence budgets; a sequence longer than the token budget is a batch of its own.
    func batchRanges(_ lengths: [Int]) -> [Range<Int>] {
        var batches: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (k, n) in lengths.enumerated() {
            if k > start, tokens + n > batchTokens || k - start >= batchSequences {
                batches.append(start..<k)
                start = k
                tokens = 0
            }
            tokens += n
        }
        if start < lengths.count { batches.append(start..<lengths.count) }
        return batches
    }
}
