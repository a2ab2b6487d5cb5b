/// Turns a `POST /v1/events` body into JSON Lines for the ingest parser: a JSON Lines body is
/// used as it is; a JSON array is split into its elements, one a line (element k on line k, so
/// per-line errors name the element's position). The split only finds element boundaries —
/// strings, escapes and nesting tracked iteratively, so no depth can overflow a stack — and the
/// ingest parser validates each element exactly as `interests ingest` validates a line. An
/// element that is not an object makes the body no batch of events (docs/openapi.yaml: an
/// array of objects): 400, as an empty array is.
enum EventBody {
    struct Prepared: Equatable {
        /// JSON Lines text for the parser (blank lines where an element was rejected here).
        var lines: [UInt8]
        var isArray: Bool
        /// Array elements (0 for JSON Lines: the parser counts those).
        var elements: Int
        /// Elements rejected before parsing: (position, reason).
        var rejected: [Rejection]
    }

    struct Rejection: Equatable {
        var line: Int
        var reason: String
    }

    /// What the body is, by its `Content-Type`.
    enum Format: Sendable {
        /// `application/json`: a JSON array of event objects.
        case array
        /// `application/x-ndjson` (or `application/jsonl`, `application/x-jsonlines`): JSON Lines.
        case lines
        /// No `Content-Type`: an array when it starts with `[`, else JSON Lines.
        case either
    }

    /// The format a media type (`Parameters.mediaType`) names; 415 for any other.
    static func format(mediaType: String?) throws(APIError) -> Format {
        switch mediaType {
        case nil: return .either
        case "application/json": return .array
        case "application/x-ndjson", "application/jsonl", "application/x-jsonlines": return .lines
        case let other?:
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           "Content-Type \(other): send a JSON array of events as application/json, or JSON Lines as application/x-ndjson")
        }
    }

    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    static func prepare(_ bytes: [UInt8], as format: Format = .either) throws(APIError) -> Prepared {
        var i = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        while i < bytes.count && whitespace.contains(bytes[i]) { i += 1 }
        guard i < bytes.count else { throw APIError(.badRequest, "empty_body", "the body holds no events; send a JSON array or JSON Lines") }
        if format == .lines || (format == .either && bytes[i] != UInt8(ascii: "[")) {
            return Prepared(lines: bytes, isArray: false, elements: 0, rejected: [])
        }
        guard bytes[i] == UInt8(ascii: "[") else {
            throw APIError(.badRequest, "invalid_body", "an application/json body is a JSON array of event objects; send JSON Lines as application/x-ndjson")
        }
        i += 1
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var rejected: [Rejection] = []
        var count = 0
        func malformed(_ reason: String) -> APIError {
            APIError(.badRequest, "malformed_json", "the body is not a well-formed JSON array: \(reason)")
        }
        func skipWhitespace() { while i < bytes.count && whitespace.contains(bytes[i]) { i += 1 } }
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
            throw APIError(.badRequest, "empty_body", "the array holds no events; send at least one event object")
        } else {
            while true {
                skipWhitespace()
                guard i < bytes.count else { throw malformed("it ends before its closing ]") }
                let start = i
                var depth = 0
                var inString = false
                var rawControl = false
                scan: while i < bytes.count {
                    let b = bytes[i]
                    if inString {
                        if b == UInt8(ascii: "\\") {
                            i += 2
                            continue
                        }
                        if b == UInt8(ascii: "\"") { inString = false } else if b < 0x20 { rawControl = true }
                        i += 1
                        continue
                    }
                    switch b {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        if depth == 0 { break scan }
                        depth -= 1
                    case UInt8(ascii: ","):
                        if depth == 0 { break scan }
                    default: break
                    }
                    i += 1
                }
                guard i < bytes.count else { throw malformed("it ends before its closing ]") }
                var end = i
                while end > start && whitespace.contains(bytes[end - 1]) { end -= 1 }
                count += 1
                guard end > start else { throw malformed("element \(count) is empty") }
                guard bytes[start] == UInt8(ascii: "{") else {
                    throw APIError(.badRequest, "invalid_body", "element \(count) of the array is not a JSON object; each event is an object such as "
                                   + #"{"type":"query","user":"u1","text":"tent","ts":1760000000}"#)
                }
                if rawControl {
                    rejected.append(Rejection(line: count, reason: "a string holds an unescaped control character (a raw line break?)"))
                } else {
                    for b in bytes[start..<end] { out.append(b == 0x0A || b == 0x0D ? 0x20 : b) }
                }
                out.append(0x0A)
                let closer = bytes[i]
                i += 1
                if closer == UInt8(ascii: ",") { continue }
                guard closer == UInt8(ascii: "]") else { throw malformed("unexpected '}' after element \(count)") }
                break
            }
        }
        skipWhitespace()
        guard i == bytes.count else { throw malformed("there is text after the closing ]") }
        return Prepared(lines: out, isArray: true, elements: count, rejected: rejected)
    }
}
