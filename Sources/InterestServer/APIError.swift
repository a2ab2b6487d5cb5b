import Foundation
import Hummingbird
import InterestMiner

/// An error answer: `{"error": CODE, "detail": SENTENCE}` with its status.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// A stable machine-readable code (`invalid_user_id`, `invalid_argument`, …).
    public let code: String
    /// What is wrong and how to fix it.
    public let detail: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    struct Body: Encodable {
        let error: String
        let detail: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONBody.response(Body(error: code, detail: detail), status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    static func unknownUser(_ user: String) -> APIError {
        APIError(.notFound, "unknown_user", "user '\(user)' has no events in this database (never ingested, or forgotten)")
    }

    static func badParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.badRequest, "invalid_parameter", "\(name): \(reason)")
    }

    /// The façade's errors as answers: the caller's mistakes are 4xx, a missing model is 409
    /// (train first), a busy or failing database 503/500.
    static func from(_ error: InterestMinerError) -> APIError {
        var answer = mapped(error)
        // A 503 is temporary: say when to come back (the database busy or unreachable, a
        // generation activated during the write).
        if answer.status == .serviceUnavailable { answer.headers[.retryAfter] = "1" }
        return answer
    }

    private static func mapped(_ error: InterestMinerError) -> APIError {
        switch error {
        case .invalidArgument(let name, let reason): APIError(.badRequest, "invalid_argument", "\(name): \(reason)")
        case .missing(let what, let hint): APIError(.conflict, "not_trained", "\(what); \(hint)")
        case .unknownItems: APIError(.notFound, "unknown_items", "items: \(error.description)")
        case .strictRejection(_, let line, let e): APIError(.badRequest, "invalid_events", "line \(line): \(e) (strict: nothing was written)")
        case .format(_, let e): APIError(.badRequest, "invalid_body", "\(e)")
        case .unreadableInput(_, let reason): APIError(.badRequest, "invalid_body", reason)
        case .store(.trainingInProgress(let generation, _)):
            APIError(.conflict, "training_running", "another training run is building model generation \(generation); wait for it to finish")
        case .store(.staleTextModel):
            APIError(.serviceUnavailable, "busy", "a new model generation was activated during this write; nothing was written — send it again")
        case .store(.postgres(_, _, "40001")), .store(.postgres(_, _, "40P01")):
            APIError(.serviceUnavailable, "busy", "concurrent writes conflicted and the retries ran out; nothing was written — send it again")
        case .store(.unavailable):
            APIError(.serviceUnavailable, "database_unavailable", "the database server cannot be reached; retry shortly")
        case .store(let e):
            "\(e)".contains("locked") || "\(e)".contains("busy")
                ? APIError(.serviceUnavailable, "busy", "the database is busy; retry shortly")
                : APIError(.internalServerError, "internal", "database error: \(e)")
        // `.sqliteOnly`: the evaluation and the file check, which no route runs.
        case .tokenizer, .textModel, .unwritableOutput, .sqliteOnly: APIError(.internalServerError, "internal", error.description)
        }
    }

    /// Any error thrown while answering, as an answer.
    static func from(any error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as InterestMinerError: return from(e)
        case let e as any HTTPResponseError:
            switch e.status {
            case .notFound: return APIError(.notFound, "not_found", "no such route; see docs/openapi.yaml")
            case .contentTooLarge: return APIError(.contentTooLarge, "body_too_large", "the request body is over the size limit")
            default: return APIError(e.status, "http_error", e.status.reasonPhrase)
            }
        default:
            return APIError(.internalServerError, "internal", "unexpected error")
        }
    }
}

/// JSON answers: snake_case keys, no escaped slashes, times as ISO-8601 strings (UTC).
enum JSONBody {
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return e
    }

    /// A decoding error in a sentence: which field, what went wrong.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.isEmpty ? "the body" : keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case DecodingError.typeMismatch(let type, let c): return "\(path(c.codingPath)) should be \(type)"
        case DecodingError.valueNotFound(let type, let c): return "\(path(c.codingPath)) should be \(type), not null"
        case DecodingError.keyNotFound(let key, _): return "\(key.stringValue) is missing"
        case DecodingError.dataCorrupted(let c): return "\(path(c.codingPath)) is not valid JSON (\(c.debugDescription))"
        default: return "\(error)"
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder().encode(value)
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }
}
