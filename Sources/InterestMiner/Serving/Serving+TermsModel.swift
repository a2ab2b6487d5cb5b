import Foundation
import InterestCore
import InterestStore
import TextEmbedding
import Tokenization

/// What extracting interest terms from a text needs of the stored text model (texts stored
/// without their candidate terms): the shop's tokenizer and its CJK splitter — not the encoder,
/// whose vectors (megabytes) terms never use.
struct LoadedTermsModel: Sendable {
    let tokenizer: Tokenizer
    let splitter: CJKSplitter
}

extension LoadedTextModel {
    /// The part of a loaded text model that terms need.
    var termsModel: LoadedTermsModel {
        LoadedTermsModel(tokenizer: encoder.tokenizer, splitter: splitter)
    }
}

extension Serving {
    /// The terms model of the newest stored text encoder, or nil when there is none. Cached under
    /// the same key as `loadTextModel` (and taken from it when that is loaded), so terms see the
    /// same stored versions as everything else.
    func loadTermsModel(fresh: Bool = false) throws(InterestMinerError) -> LoadedTermsModel? {
        let versions: [String: Int]
        do { versions = try store.latestVersions() } catch { throw .store(error) }
        let key = [versions[ModelKind.textEncoder] ?? 0, versions[ModelKind.profile] ?? 0, versions[ModelKind.tokenizer] ?? 0]
        return try models.terms(key: key, fresh: fresh) { () throws(InterestMinerError) in try self.readTermsModel() }
    }

    func requireTermsModel() throws(InterestMinerError) -> LoadedTermsModel {
        guard let model = try loadTermsModel() else {
            throw .missing(what: "\(databasePath) has no text vectors yet", hint: "run `interests train --db \(databasePath)` first")
        }
        return model
    }

    private func readTermsModel() throws(InterestMinerError) -> LoadedTermsModel? {
        do {
            guard let model = try store.latestModelParameters(kind: ModelKind.textEncoder) else { return nil }
            let params = (try? JSONValue.parse(model.parameters)) ?? .null
            let tokenizer = try storedTokenizer(params, textModelVersion: model.version)
            return LoadedTermsModel(tokenizer: tokenizer, splitter: CJKSplitter(tokenizer: tokenizer))
        } catch {
            throw Self.textModelError(error)
        }
    }
}
