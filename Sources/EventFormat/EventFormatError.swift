import InterestCore

/// Everything that can be wrong with an input line or with the ingest configuration. Each case
/// carries its context, and `description` says what is wrong and how to fix it, in one line.
public enum EventFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    // Configuration
    case invalidMapping(entry: String, reason: String)
    case csvHeaderMissing
    case csvHeaderInvalid(reason: String)
    // Line structure
    case invalidUTF8(byteOffset: Int)
    case malformedJSON(column: Int, reason: String)
    case notAnObject(found: String)
    case nestingTooDeep(limit: Int)
    case lineTooLong(bytes: Int, limit: Int)
    case csvFieldCount(expected: Int, found: Int)
    case csvUnterminatedQuote
    case csvStrayQuote(column: Int)
    // Fields
    case missingField(field: String, type: EventKind?, hint: String)
    case wrongType(field: String, expected: String, found: String)
    case unknownType(String)
    case unknownAction(String)
    case emptyText(field: String)
    case nulInText(field: String)
    case invalidIdentifier(field: String, reason: String)
    case invalidTimestamp(String, reason: String)
    case timestampOutOfRange(Int64, reason: String)
    case invalidRating(String, reason: String)

    public var description: String {
        switch self {
        case .invalidMapping(let entry, let reason):
            return "invalid --map entry '\(entry)': \(reason); write it as FIELD=SOURCE[,FIELD=SOURCE…] with FIELD one of \(EventField.allCases.map(\.rawValue).joined(separator: "|"))"
        case .csvHeaderMissing:
            return "the CSV input has no header line; add one naming the columns (e.g. type,user,item,action,ts)"
        case .csvHeaderInvalid(let reason):
            return "the CSV header is unusable: \(reason)"
        case .invalidUTF8(let offset):
            return "invalid UTF-8 at byte \(offset + 1) of the line; re-encode the file as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)"
        case .malformedJSON(let column, let reason):
            return "malformed JSON at column \(column): \(reason)"
        case .notAnObject(let found):
            return "each line must be one JSON object, found \(found)"
        case .nestingTooDeep(let limit):
            return "JSON nested deeper than \(limit) levels; flatten the record"
        case .lineTooLong(let bytes, let limit):
            return "line is \(bytes) bytes, over the \(limit)-byte limit; split the text or raise --max-line-bytes"
        case .csvFieldCount(let expected, let found):
            return "expected \(expected) fields as in the header, found \(found); quote fields that contain commas"
        case .csvUnterminatedQuote:
            return "a quoted CSV field is never closed; close it with \" (a quote inside a field is written \"\")"
        case .csvStrayQuote(let column):
            return "stray quote in an unquoted CSV field at column \(column); quote the whole field and double inner quotes"
        case .missingField(let field, let type, let hint):
            let what = type.map { " for a \($0.rawValue) event" } ?? ""
            return "missing '\(field)'\(what)\(hint.isEmpty ? "" : "; \(hint)")"
        case .wrongType(let field, let expected, let found):
            return "'\(field)' must be \(expected), found \(found)"
        case .unknownType(let t):
            return "unknown type '\(t)'; expected item|review|query|interaction (or set one with --type)"
        case .unknownAction(let a):
            return "unknown action '\(a)'; expected view|click|cart|purchase|rate"
        case .emptyText(let field):
            return "'\(field)' is empty; a review or query needs some text"
        case .nulInText(let field):
            return "'\(field)' holds a NUL character (\\u0000); remove it (SQLite and most tools end text there)"
        case .invalidIdentifier(let field, let reason):
            return "'\(field)' is not a usable id: \(reason)"
        case .invalidTimestamp(let value, let reason):
            return "'ts' value '\(value)' is not a timestamp: \(reason); use Unix seconds or ISO-8601 like 2024-05-01T12:00:00Z"
        case .timestampOutOfRange(let value, let reason):
            return "'ts' \(value) is out of range: \(reason)"
        case .invalidRating(let value, let reason):
            return "'rating' \(value) is unusable: \(reason)"
        }
    }
}

/// A rejected input line: where it was and why.
public struct LineRejection: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let error: EventFormatError

    public init(line: Int, error: EventFormatError) {
        self.line = line
        self.error = error
    }

    public var description: String { "\(line): \(error)" }
}
