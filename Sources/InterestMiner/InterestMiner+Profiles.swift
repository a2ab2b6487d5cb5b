import Foundation
import InterestCore
import InterestStore
import Tokenization

extension ModelKind {
    /// The profile rule and term statistics that go with a text encoder version.
    static let profile = "profile"
}

/// What the `profile` model stores: the rule profiles were built with, for the incremental
/// updates at ingest, and the number of texts the term document frequencies were counted over.
struct ProfileModel: Codable, Sendable, Equatable {
    var rule: ProfileRule
    var textEncoderVersion: Int
    var documents: Int
}

extension InterestMiner {
    /// Recomputes every user's profile from the stored vectors and stores the rule beside the
    /// encoder version (so ingest applies the same rule to new events).
    func rebuildProfiles(_ model: LoadedTextModel, rule: ProfileRule, documents: Int, progress: @Sendable (String) -> Void) throws(InterestMinerError) -> Int {
        if let problem = rule.problem { throw .invalidArgument(name: "profile", reason: problem) }
        progress("profiles: rebuilding")
        let saved = ProfileModel(rule: rule, textEncoderVersion: model.version, documents: documents)
        let json: String
        do { json = String(decoding: try JSONEncoder().encode(saved), as: UTF8.self) } catch {
            throw .invalidArgument(name: "profile", reason: "\(error)")
        }
        do {
            let users = try store.rebuildProfiles(rule: rule, version: model.version, dimension: model.encoder.dimension)
            _ = try store.saveModel(kind: ModelKind.profile, parameters: json, payload: [])
            return users
        } catch {
            throw .store(error)
        }
    }

    /// The profile model of text encoder `version`, or nil (trained before profiles existed).
    func loadProfileModel(textEncoderVersion version: Int) throws(StoreError) -> ProfileModel? {
        guard let stored = try store.latestModel(kind: ModelKind.profile),
              let m = try? JSONDecoder().decode(ProfileModel.self, from: Data(stored.parameters.utf8)),
              m.textEncoderVersion == version else { return nil }
        return m
    }
}
