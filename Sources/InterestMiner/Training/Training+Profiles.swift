import Foundation
import InterestCore
import InterestStore

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

extension ProfileModel {
    /// Reads the stored parameters with the small JSON reader (Foundation's JSONDecoder costs a
    /// short command like `interests terms` about a millisecond of start-up); nil when a field is
    /// missing or mistyped (then the caller decodes them the Codable way).
    init?(parameters: String) {
        guard let json = try? JSONValue.parse(parameters), let r = json["rule"],
              let version = json["textEncoderVersion"]?.intValue, let documents = json["documents"]?.intValue,
              let stars = r["reviewByStars"]?.arrayValue?.compactMap(\.doubleValue),
              let halfLife = r["halfLifeDays"]?.doubleValue, let query = r["query"]?.doubleValue, let unrated = r["unratedReview"]?.doubleValue,
              let view = r["view"]?.doubleValue, let click = r["click"]?.doubleValue, let cart = r["cart"]?.doubleValue,
              let purchase = r["purchase"]?.doubleValue else { return nil }
        var rule = ProfileRule()
        (rule.halfLifeDays, rule.query, rule.reviewByStars, rule.unratedReview) = (halfLife, query, stars, unrated)
        (rule.view, rule.click, rule.cart, rule.purchase) = (view, click, cart, purchase)
        self.init(rule: rule, textEncoderVersion: version, documents: documents)
    }
}

extension TrainingPipeline {
    /// Builds every user's profile of the generation from its vectors and stores the rule beside
    /// the encoder version (so ingest applies the same rule to new events).
    func rebuildProfiles(_ model: LoadedTextModel, rule: ProfileRule, documents: Int, build: GenerationBuild,
                         progress: @Sendable (String) -> Void) throws(InterestMinerError) -> (users: Int, model: ProfileModel) {
        if let problem = rule.problem { throw .invalidArgument(name: "profile", reason: problem) }
        progress("profiles: rebuilding")
        let saved = ProfileModel(rule: rule, textEncoderVersion: model.version, documents: documents)
        let json: String
        do { json = String(decoding: try JSONEncoder().encode(saved), as: UTF8.self) } catch {
            throw .invalidArgument(name: "profile", reason: "\(error)")
        }
        do {
            let users = try store.buildProfiles(ProfileBuild(rule: rule, version: model.version, dimension: model.encoder.dimension), build: build)
            _ = try store.saveModel(kind: ModelKind.profile, parameters: json, payload: [], generation: build.id)
            return (users, saved)
        } catch {
            throw .store(error)
        }
    }
}

extension Serving {
    /// The profile model of text encoder `version`, or nil (trained before profiles existed).
    func loadProfileModel(textEncoderVersion version: Int) throws(StoreError) -> ProfileModel? {
        guard let stored = try store.latestModel(kind: ModelKind.profile),
              let m = ProfileModel(parameters: stored.parameters) ?? (try? JSONDecoder().decode(ProfileModel.self, from: Data(stored.parameters.utf8))),
              m.textEncoderVersion == version else { return nil }
        return m
    }
}
