import CollaborativeFiltering
import CorpusGeneration
import Foundation
import Hummingbird
import HummingbirdTesting
import InterestMiner
import InterestServer
import SequenceModel
import TextEmbedding
import Tokenization

/// Small fast training settings (text and collaborative), as the façade tests use (the terms'
/// "what next" keeps its fallback).
let serverTestTraining = {
    var o = TrainingOptions(
        tokenizer: TokenizerTrainingOptions(vocabularySize: 800, minFrequency: 2, threads: 1),
        embedding: EmbeddingTrainingOptions(skipGram: SkipGramConfiguration(dimension: 16, epochs: 3, minCount: 2, seed: 4, threads: 1),
                                            automaticEpochs: false),
        cf: CFTrainingOptions(als: ALSConfiguration(factors: 8, iterations: 6, seed: 5, threads: 2), alphaGrid: [10]))
    o.tuneNextTerms = false
    o.sequence = {
        var s = SequenceSettings()
        (s.dimension, s.maxLength, s.epochs, s.threads) = (16, 12, 3, 1)
        return s
    }()
    return o
}()

/// One trained database per test process (a 40-user synthetic shop); each test gets its own copy.
actor TrainedTemplate {
    static let shared = TrainedTemplate()
    private var folder: URL?
    private var miner: InterestMiner?

    /// A fresh copy of the trained database, opened.
    func copy() async throws -> InterestMiner {
        let source = try await build()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: source.path + suffix) {
            try FileManager.default.copyItem(atPath: source.path + suffix, toPath: dir.appendingPathComponent("db.sqlite").path + suffix)
        }
        return try InterestMiner(databasePath: dir.appendingPathComponent("db.sqlite").path)
    }

    private func build() async throws -> URL {
        if let folder { return folder.appendingPathComponent("db.sqlite") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-server-template-\(UUID().uuidString)")
        let report = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 21, users: 40, items: 48), to: dir.path)
        let miner = try InterestMiner(databasePath: dir.appendingPathComponent("db.sqlite").path)
        _ = try await miner.ingest([.file(report.eventsFile)])
        _ = try miner.train(serverTestTraining)
        self.miner = miner
        folder = dir
        return dir.appendingPathComponent("db.sqlite")
    }
}

/// An empty database in its own folder.
func emptyMiner() throws -> InterestMiner {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-server-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try InterestMiner(databasePath: dir.appendingPathComponent("db.sqlite").path)
}

func testApp(_ miner: InterestMiner, token: String? = nil, maxBodyBytes: Int = 1 << 20) -> some ApplicationProtocol {
    buildApplication(miner: miner, configuration: ServerConfiguration(port: 0, token: token, maxBodyBytes: maxBodyBytes, training: serverTestTraining))
}

extension TestResponse {
    /// The body parsed as a JSON object (empty when it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}

extension TestClientProtocol {
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, token: String? = nil) async throws -> TestResponse {
        try await send(method, uri, bytes: body.map { Array($0.utf8) }, token: token)
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, bytes: [UInt8]?, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: bytes.map { ByteBuffer(bytes: $0) })
    }
}

/// Events stored, by kind (what "nothing was written" compares).
func eventCounts(_ miner: InterestMiner) throws -> [Int] {
    let s = try miner.stats()
    return [s.reviews, s.queries, s.interactions, s.users, s.items]
}
