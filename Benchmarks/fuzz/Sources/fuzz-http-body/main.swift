import EventFormat
import Foundation
import FuzzSupport
@testable import InterestMiner
@testable import InterestServer

// The service's request decoding, every decoder on every input: `POST /v1/events` (EventBody
// splits a JSON array into lines, then the ingest reader and parser take them as the service's
// ingest does), `POST /v1/rank` (JSONDecoder into RankRequest, its validation, the error text),
// and the text parameters (`since`, a user id). None may trap; an array's element k must be
// line k of what the parser reads, so rejected lines name elements.
runFuzzer { bytes in
    if let prepared = try? EventBody.prepare(bytes) {
        let lines = prepared.lines.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        if prepared.isArray, lines != prepared.elements {
            violated("\(prepared.elements) array elements became \(lines) lines")
        }
        if let bad = prepared.rejected.first(where: { !(1...max(1, prepared.elements)).contains($0.line) }) {
            violated("rejected element \(bad.line) of \(prepared.elements)")
        }
        // What `miner.ingest([.bytes(name: "body", lines)])` parses: JSON Lines, default options.
        let input = IngestInput([0] + prepared.lines, format: .jsonLines)
        if let outcome = input.chunked() {
            input.checkEvents(outcome.events)
            if prepared.isArray, let line = outcome.rejectedLines.first(where: { !(1...prepared.elements).contains($0) }) {
                violated("the parser rejected line \(line) of an array of \(prepared.elements)")
            }
            for line in outcome.rejectedLines {
                let parsed = EventsAnswer.parse("\(EventsAnswer.sourceName):\(line): a reason")
                guard parsed.line == line else { violated("rejection line \(line) reads back as \(parsed.line)") }
            }
        }
    }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    do {
        let request = try decoder.decode(RankRequest.self, from: Data(bytes))
        try? request.validate(maxResults: 1000)
    } catch {
        _ = JSONBody.describe(error)
    }
    if bytes.count <= 4096 {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? InterestMiner.parseTime(text)
        _ = try? Parameters.checkUserID(text)
    }
}
