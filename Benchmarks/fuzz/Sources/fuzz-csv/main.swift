import FuzzSupport

// CSV ingest: the first byte picks the parser options (IngestInput), the rest is the file
// (header line, then records). Parsing must not trap and every accepted event must be valid,
// on the whole input and on the façade's chunked path. Without quote characters a record ends
// at every newline, so then both paths must also agree on events and rejected lines (with
// quotes the reader's chunk boundaries follow quote parity, which stray quotes can fool).
runFuzzer { bytes in
    let input = IngestInput(bytes, format: .csv)
    let whole = input.whole()
    if let whole { input.checkEvents(whole.events) }
    let chunked = input.chunked()
    if let chunked { input.checkEvents(chunked.events) }
    // An empty file is nothing to ingest for the reader; the header reader alone calls it headless.
    guard !input.body.isEmpty, !input.body.contains(UInt8(ascii: "\"")), !input.isGzip else { return }
    guard (whole == nil) == (chunked == nil) else {
        violated("the header is \(whole == nil ? "refused" : "accepted") in one chunk, \(chunked == nil ? "refused" : "accepted") when chunked")
    }
    guard let whole, let chunked else { return }
    guard chunked.events == whole.events else {
        violated("chunked reading gave \(chunked.events.count) events, one chunk \(whole.events.count)")
    }
    guard chunked.rejectedLines == whole.rejectedLines else {
        violated("chunked reading rejected lines \(chunked.rejectedLines), one chunk \(whole.rejectedLines)")
    }
}
