import Dispatch
import InterestCore
import Synchronization

/// The JSON form of an encoded text, one line:
/// `{"text":…,"ids":[…],"tokens":[…],"offsets":[[start,end],…]}` — offsets are UTF-8 byte
/// ranges of the text — with strings as `JSONWriter` writes them (raw UTF-8; `"`, `\` and
/// control characters escaped). What `interests tokenize --json` and `--file` print.
///
/// Every token's quoted name is escaped once, when the table is made, so a line costs a copy
/// of its text, integer formatting and one copy per token name — no `String` per token.
public struct EncodingJSON: Sendable {
    /// The quoted names of ids 0..<starts.count-1, back to back, then 16 spare bytes.
    private let names: [UInt8]
    /// Id → where its quoted name starts in `names`; one more entry marks the end.
    private let starts: [Int]
    /// The longest quoted name, in bytes.
    private let longestName: Int
    /// Quoted names of added tokens whose ids lie outside the table (a file may give any id;
    /// the table stays the size of the vocabulary and the added tokens).
    private let outliers: [Int32: [UInt8]]

    public init(_ tokenizer: Tokenizer) {
        let known = tokenizer.names
        let tableSize = known.vocabulary.count + known.added.count
        let last = min(tableSize - 1, max(known.vocabulary.count - 1, known.added.keys.map { Int($0) }.max() ?? -1))
        var w = JSONWriter(capacity: 8 * (last + 1))
        var starts: [Int] = []
        starts.reserveCapacity(last + 2)
        for id in 0..<(last + 1) {
            starts.append(w.count)
            w.appendString(known.token(of: Int32(id)) ?? "")
        }
        starts.append(w.count)
        // Spare bytes, so a short name can be copied as two 8-byte words.
        w.appendRaw("                ")
        names = w.takeBytes()
        self.starts = starts
        var outliers: [Int32: [UInt8]] = [:]
        for (id, name) in known.added where id < 0 || Int(id) > last { outliers[id] = JSONWriter.quoted(name) }
        self.outliers = outliers
        longestName = max(zip(starts.dropFirst(), starts).map { $0 - $1 }.max() ?? 2, outliers.values.map(\.count).max() ?? 2)
    }

    /// Appends the line of `encoding` of `text` (without a line break).
    public func append(text: String, _ encoding: Encoding, to out: inout JSONWriter) {
        var text = text
        text.withUTF8 { utf8 in
            encoding.ids.withUnsafeBufferPointer { ids in
                encoding.offsets.withUnsafeBufferPointer { spans in
                    names.withUnsafeBufferPointer { names in
                        starts.withUnsafeBufferPointer { starts in
                            // Room for the worst case: every text byte escaped, every number
                            // 20 digits, the longest name.
                            let bound = 80 + JSONWriter.maxStringBytes(utf8.count) + ids.count * (JSONWriter.maxIntBytes + 1)
                                + ids.count * (longestName + 1) + spans.count * (2 * JSONWriter.maxIntBytes + 4)
                            out.write(upTo: bound) { p in
                                var w = JSONWriter.put("{\"text\":", at: p)
                                w += JSONWriter.put(string: utf8, at: p + w)
                                w += JSONWriter.put(",\"ids\":[", at: p + w)
                                for (k, id) in ids.enumerated() {
                                    if k > 0 { p[w] = UInt8(ascii: ","); w += 1 }
                                    w += JSONWriter.put(Int(id), at: p + w)
                                }
                                w += JSONWriter.put("],\"tokens\":[", at: p + w)
                                for (k, id) in ids.enumerated() {
                                    if k > 0 { p[w] = UInt8(ascii: ","); w += 1 }
                                    let i = Int(id)
                                    guard i >= 0 && i + 1 < starts.count, let arena = names.baseAddress else {
                                        if let quoted = outliers[id] {
                                            w += quoted.withUnsafeBufferPointer { JSONWriter.put(raw: $0, at: p + w) }
                                        } else {
                                            w += JSONWriter.put("\"\"", at: p + w)
                                        }
                                        continue
                                    }
                                    let (from, length) = (starts[i], starts[i + 1] - starts[i])
                                    if length <= 16 {
                                        // Two 8-byte moves (the arena ends in 16 spare bytes,
                                        // and the room reserved has 16 more).
                                        let src = UnsafeRawPointer(arena + from), dst = UnsafeMutableRawPointer(p + w)
                                        dst.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
                                        dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
                                    } else {
                                        (p + w).update(from: arena + from, count: length)
                                    }
                                    w += length
                                }
                                w += JSONWriter.put("],\"offsets\":[", at: p + w)
                                for (k, span) in spans.enumerated() {
                                    if k > 0 { p[w] = UInt8(ascii: ","); w += 1 }
                                    p[w] = UInt8(ascii: "[")
                                    w += 1
                                    w += JSONWriter.put(span.start, at: p + w)
                                    p[w] = UInt8(ascii: ",")
                                    w += 1
                                    w += JSONWriter.put(span.end, at: p + w)
                                    p[w] = UInt8(ascii: "]")
                                    w += 1
                                }
                                return w + JSONWriter.put("]}", at: p + w)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The line of `encoding` of `text` (without a line break).
    public func line(text: String, _ encoding: Encoding) -> String {
        var w = JSONWriter()
        append(text: text, encoding, to: &w)
        return String(decoding: w.takeBytes(), as: UTF8.self)
    }
}

/// Encodes batches of lines into `EncodingJSON` lines on several threads, in input order.
///
/// Each thread keeps one `TokenizerSession` for the encoder's life, so its word cache stays
/// warm from batch to batch; a batch is cut into parts of about `partBytes` of text that the
/// threads take one at a time, so a thread slowed by other work on the machine takes fewer.
/// Output is identical for any number of threads. One caller at a time (not `Sendable`).
public final class JSONLinesEncoder {
    public let threads: Int
    public let addSpecialTokens: Bool
    public let maxLength: Int?
    private let format: EncodingJSON
    private let sessions: Sessions
    private let partBytes: Int

    /// The sessions, one per thread; thread `c` of a batch touches only `all[c]`.
    private struct Sessions: @unchecked Sendable {
        let all: [TokenizerSession]
    }

    public init(_ tokenizer: Tokenizer, addSpecialTokens: Bool = false, maxLength: Int? = nil, threads: Int = 1,
                partBytes: Int = 64 << 10) {
        self.threads = max(1, threads)
        self.addSpecialTokens = addSpecialTokens
        self.maxLength = maxLength
        self.partBytes = max(1, partBytes)
        format = EncodingJSON(tokenizer)
        sessions = Sessions(all: (0..<self.threads).map { _ in TokenizerSession(tokenizer) })
    }

    /// The JSON lines of `lines`, each ended by "\n", as consecutive blocks of bytes (write
    /// them in order).
    public func encode(_ lines: [String]) -> [[UInt8]] {
        // Parts: consecutive lines of about partBytes of text each.
        var bounds = [0]
        var size = 0
        for (k, line) in lines.enumerated() {
            size += line.utf8.count + 1
            if size >= partBytes {
                bounds.append(k + 1)
                size = 0
            }
        }
        if bounds.last != lines.count { bounds.append(lines.count) }
        let parts = bounds.count - 1
        guard parts > 0 else { return [] }
        let workers = min(threads, parts)
        let (format, special, maxLength, sessions, cuts) = (format, addSpecialTokens, maxLength, sessions, bounds)
        @Sendable func encodePart(_ p: Int, _ session: TokenizerSession) -> [UInt8] {
            let part = lines[cuts[p]..<cuts[p + 1]]
            var out = JSONWriter(capacity: 7 * part.reduce(0) { $0 + $1.utf8.count + 1 })
            for text in part {
                format.append(text: text, session.encode(text, addSpecialTokens: special, maxLength: maxLength), to: &out)
                out.appendRaw(UInt8(ascii: "\n"))
            }
            return out.takeBytes()
        }
        if workers == 1 {
            return (0..<parts).map { encodePart($0, sessions.all[0]) }
        }
        let next = AtomicCounter()
        let done = Mutex<[[UInt8]]>(Array(repeating: [], count: parts))
        parallelPerform(iterations: workers) { c in
            while true {
                let p = next.add(1)
                guard p < parts else { return }
                var bytes = encodePart(p, sessions.all[c])
                done.withLock { swap(&$0[p], &bytes) }
            }
        }
        return done.withLock { $0 }
    }
}
