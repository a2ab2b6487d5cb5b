import Foundation
import HummingbirdTesting
@testable import InterestMiner
import InterestServer
import Testing

@Suite struct ForgetTests {
    /// A review with a string found nowhere else; after forgetting its author, neither the
    /// database file nor its write-ahead log holds it, and nothing else of the user is left.
    @Test func forgottenTextIsNotInTheFile() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let secret = "quokkazebra-\(UUID().uuidString.prefix(8))"
        let lines = [
            #"{"type":"review","user":"leaver","item":"SECRET-ITEM","rating":5,"text":"my \#(secret) story, fly rod trout","ts":1760000000}"#,
            #"{"type":"query","user":"leaver","text":"\#(secret) search","ts":1760000100}"#,
            #"{"type":"interaction","user":"leaver","item":"SECRET-ITEM","action":"purchase","ts":1760000200}"#,
            #"{"type":"review","user":"stayer","item":"SECRET-ITEM","rating":4,"text":"good fly rod","ts":1760000300}"#,
        ]
        let path = miner.databasePath
        try await testApp(miner).test(.router) { client in
            let r = try await client.send(.post, "/v1/events", lines.joined(separator: "\n"))
            #expect(r.object["inserted"] as? Int == 4)
            #expect(try Self.fileContains(path, secret), "the text is in the file before")
            let deleted = try await client.send(.delete, "/v1/users/leaver")
            #expect(deleted.status == .ok)
            #expect(deleted.object["reviews"] as? Int == 1 && deleted.object["queries"] as? Int == 1 && deleted.object["interactions"] as? Int == 1)
            #expect(deleted.object["profile"] as? Bool == true)
            #expect(deleted.object["wal_truncated"] as? Bool == true)
        }
        #expect(try !Self.fileContains(path, secret), "no byte of the review or query is left in the file or its WAL")
        #expect(try miner.history(ofUser: "leaver") == nil)
        #expect(try miner.history(ofUser: "stayer")?.count == 1)
        #expect(try miner.integrityCheck() == "ok")
    }

    /// The item's vector afterwards is what it would be had the user never written.
    @Test func itemVectorsLoseTheReview() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let other = #"{"type":"review","user":"stayer","item":"V-ITEM","rating":4,"text":"good fly rod for trout","ts":1760000300}"#
        _ = try await miner.ingest([.bytes(name: "a.jsonl", Array((#"{"type":"item","item":"V-ITEM","title":"graphite fly rod"}"# + "\n" + other + "\n").utf8))])
        let reference = try #require(try miner.itemVectorForTests("V-ITEM"))
        _ = try await miner.ingest([.bytes(name: "b.jsonl", Array((#"{"type":"review","user":"leaver","item":"V-ITEM","rating":5,"text":"lovely reel and rod","ts":1760000400}"# + "\n").utf8))])
        #expect(try miner.itemVectorForTests("V-ITEM") != reference)
        let report = try #require(try miner.forget(user: "leaver"))
        #expect(report.itemVectorsUpdated == 1)
        let after = try #require(try miner.itemVectorForTests("V-ITEM"))
        #expect(zip(after, reference).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(try miner.forget(user: "leaver") == nil)
    }

    static func fileContains(_ path: String, _ needle: String) throws -> Bool {
        let pattern = Data(needle.utf8)
        for file in [path, path + "-wal", path + "-journal"] where FileManager.default.fileExists(atPath: file) {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            if data.range(of: pattern) != nil { return true }
        }
        return false
    }
}

extension InterestMiner {
    func itemVectorForTests(_ item: String) throws -> [Float]? {
        try store.itemVector(item)?.vector
    }
}
