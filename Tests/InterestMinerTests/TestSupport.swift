import Foundation
import InterestCore
import InterestStore
import TextEmbedding
@testable import InterestMiner

/// A fresh database file in its own temporary folder.
func temporaryDatabasePath() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-miner-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("test.sqlite").path
}

func freshMiner() throws -> InterestMiner {
    try InterestMiner(databasePath: temporaryDatabasePath())
}

/// `n` distinct canonical event lines (queries and interactions of a few users).
func syntheticLines(_ n: Int, offset: Int = 0) -> [String] {
    (0..<n).map { k in
        let i = k + offset
        return i % 3 == 0
            ? #"{"type":"query","user":"u\#(i % 17)","text":"fly rod \#(i)","ts":\#(1_700_000_000 + i)}"#
            : #"{"type":"interaction","user":"u\#(i % 17)","item":"P\#(i % 29)","action":"view","ts":\#(1_700_000_000 + i)}"#
    }
}

extension IngestSource {
    static func text(_ name: String, _ lines: [String]) -> IngestSource {
        .bytes(name: name, Array((lines.joined(separator: "\n") + "\n").utf8))
    }
}

extension InterestMiner {
    /// Recomputes the text tables (vectors, terms, profiles) with `model` as a generation of
    /// their own and activates it: the batch computation incremental updates must equal.
    func recomputeTextTables(_ model: LoadedTextModel, rule: ProfileRule = ProfileRule()) throws {
        let build = try store.beginGeneration(parts: DerivedTable.text)
        let vectors = try training.computeTextVectors(model, terms: TermExtractor.Settings(), threads: 1, build: build) { _ in }
        _ = try training.rebuildProfiles(model, rule: rule, documents: vectors.documents, build: build) { _ in }
        try store.activateGeneration(build, report: nil) { _ in }
    }
}
