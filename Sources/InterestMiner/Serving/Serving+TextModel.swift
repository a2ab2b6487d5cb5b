import Foundation
import InterestCore
import InterestStore
import TextEmbedding
import Tokenization

/// Settings of the text-vector stage of `interests train`.
public struct EmbeddingTrainingOptions: Sendable {
    public var skipGram: SkipGramConfiguration
    /// SIF smoothing constant a.
    public var smoothing: Float
    /// Texts sampled to estimate the principal component.
    public var principalComponentSample: Int
    public var terms: TermExtractor.Settings
    /// Choose the number of passes from the corpus size (`epochs(forCorpusTokens:)`) instead of
    /// `skipGram.epochs`.
    public var automaticEpochs: Bool
    /// Trained subword vectors, or a pretrained transformer (then the skip-gram and SIF settings
    /// are unused; the tokenizer is still trained, for terms).
    public var encoder: TextEncoderChoice

    public init(skipGram: SkipGramConfiguration = SkipGramConfiguration(minCount: 2), smoothing: Float = 1e-3,
                principalComponentSample: Int = 20_000, terms: TermExtractor.Settings = TermExtractor.Settings(),
                automaticEpochs: Bool = true, encoder: TextEncoderChoice = .subword) {
        self.encoder = encoder
        self.skipGram = skipGram
        self.automaticEpochs = automaticEpochs
        self.smoothing = smoothing
        self.principalComponentSample = principalComponentSample
        self.terms = terms
    }
}

extension EmbeddingTrainingOptions {
    /// Token passes skip-gram gets by default: a training budget of about 20 million
    /// token-updates, at least 1 and at most 200 epochs. Small shops' text (a few hundred
    /// thousand tokens) is badly undertrained at word2vec's 5 epochs (measured: text-only
    /// NDCG@10 on the synthetic corpus 0.23 at 5 epochs, 0.30 at 20, 0.44 at 100); a large
    /// shop's is not, and a fixed 5 passes made skip-gram the longest stage of training (a
    /// million users' 90 M tokens: 1,202 s for 5 passes). Measured on the 100,000-user generated
    /// shop (9 M tokens): 3 passes instead of 5 leave the ranker's validation NDCG@10 as it was
    /// (text 0.0305 vs 0.0298, fused 0.1834 vs 0.1843 on 2,000 users) at 53 s instead of ~150 s.
    public static let tokenBudget = 20_000_000

    public static func epochs(forCorpusTokens tokens: Int) -> Int {
        guard tokens > 0 else { return 5 }
        return max(1, min(200, (tokenBudget + tokens - 1) / tokens))
    }
}

/// A loaded text encoder and the model version its vectors carry.
struct LoadedTextModel: Sendable {
    let encoder: TextModelEncoder
    let version: Int
    /// The profile rule and term statistics trained with this encoder (nil: none yet).
    var profile: ProfileModel? = nil
    /// Splits long CJK tokens into words (built once: it indexes every BPE merge).
    let splitter: CJKSplitter

    init(encoder: TextModelEncoder, version: Int, profile: ProfileModel? = nil) {
        self.encoder = encoder
        self.version = version
        self.profile = profile
        splitter = CJKSplitter(tokenizer: encoder.tokenizer)
    }
}


extension LoadedTextModel {
    /// Each text's vector (nil: nothing the encoder knows) and its candidate interest terms as
    /// stored beside it (so terms need no tokenizer later) — what ingest and a training run's
    /// catch-up write for a new text.
    func encodeForStorage(_ texts: [String], threads: Int) -> [(vector: [Float]?, terms: String?)] {
        guard !texts.isEmpty else { return [] }
        let vectors = encoder.encode(texts, threads: threads)
        let tokenizer = encoder.tokenizer
        let session = TokenizerSession(tokenizer)
        return zip(texts, vectors).map { text, v in
            (v.isEmpty ? nil : v.values,
             TermExtractor.stored(TermExtractor.candidates(session.pieces(text), tokenizer: tokenizer, splitter: splitter)))
        }
    }
}

extension Serving {
    /// The newest stored text encoder (with the tokenizer it was trained with), or nil. Cached
    /// while the stored versions of the encoder and its profile model are unchanged.
    func loadTextModel(fresh: Bool = false) throws(InterestMinerError) -> LoadedTextModel? {
        let versions: [String: Int]
        do { versions = try store.latestVersions() } catch { throw .store(error) }
        let key = [versions[ModelKind.textEncoder] ?? 0, versions[ModelKind.profile] ?? 0, versions[ModelKind.tokenizer] ?? 0]
        return try models.text(key: key, fresh: fresh) { () throws(InterestMinerError) in try self.readTextModel() }
    }

    private func readTextModel() throws(InterestMinerError) -> LoadedTextModel? {
        do {
            guard let model = try store.latestModel(kind: ModelKind.textEncoder) else { return nil }
            let params = (try? JSONValue.parse(model.parameters)) ?? .null
            let tokenizer = try storedTokenizer(params, textModelVersion: model.version)
            let encoder: TextModelEncoder = params["encoder"]?.stringValue == "transformer"
                ? .transformer(try storedPretrainedEncoder(params, version: model.version), terms: tokenizer)
                : .sif(try SIFEncoder(serialized: model.payload, tokenizer: tokenizer))
            return LoadedTextModel(encoder: encoder, version: model.version, profile: try loadProfileModel(textEncoderVersion: model.version))
        } catch {
            throw Self.textModelError(error)
        }
    }

    /// The shop's tokenizer a text model (with `parameters`) was trained with.
    func storedTokenizer(_ parameters: JSONValue, textModelVersion version: Int) throws(InterestMinerError) -> Tokenizer {
        do {
            guard let tokVersion = parameters["tokenizer_version"]?.intValue,
                  let tokModel = try store.model(kind: ModelKind.tokenizer, version: tokVersion) else {
                throw InterestMinerError.missing(what: "the tokenizer of text model v\(version) is missing", hint: "re-run `interests train`")
            }
            return try Tokenizer(json: tokModel.payload)
        } catch {
            throw Self.textModelError(error)
        }
    }

    /// A failure reading a stored text model, as the façade reports it.
    static func textModelError(_ error: any Error) -> InterestMinerError {
        switch error {
        case let e as InterestMinerError: e
        case let e as StoreError: .store(e)
        case let e as TokenizationError: .tokenizer(source: "stored tokenizer", e)
        default: .missing(what: "the stored text model is unreadable (\(error))", hint: "re-run `interests train`")
        }
    }

    /// The text of an item record as the encoder sees it: "title. description".
    static func itemText(title: String?, text: String?) -> String? {
        let parts = [title, text].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: ". ")
    }
}
