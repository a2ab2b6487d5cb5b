import EventFormat
import FuzzSupport

// JSON Lines ingest: the first byte picks the parser options (IngestInput), the rest is the
// file. Whatever the bytes, parsing must not trap, every accepted event must be valid, and the
// façade's chunked reading (InputReader + ChunkParser, 16-byte or 4 KB chunks) must give the
// same events and the same rejected lines as parsing the whole input at once.
runFuzzer { bytes in
    let input = IngestInput(bytes, format: .jsonLines)
    guard let whole = input.whole() else { violated("JSON Lines input refused as a whole") }
    input.checkEvents(whole.events)
    guard let chunked = input.chunked() else {
        if input.isGzip { return }
        violated("JSON Lines input refused by the chunked reader")
    }
    guard chunked.events == whole.events else {
        violated("chunked reading gave \(chunked.events.count) events, one chunk \(whole.events.count)")
    }
    guard chunked.rejectedLines == whole.rejectedLines else {
        violated("chunked reading rejected lines \(chunked.rejectedLines), one chunk \(whole.rejectedLines)")
    }
}
