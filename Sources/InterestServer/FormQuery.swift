import Foundation
import Hummingbird

/// A query string as an HTML form sends it (`application/x-www-form-urlencoded`): `+` is a
/// space, then percent-decoding (so `%2B` stays a plus). The first value of a name wins; a
/// value that is not valid percent-encoded UTF-8 counts as absent and its name as malformed.
/// Used for the free-text parameters (`query`) of the API and the console's forms.
struct FormQuery {
    private var values: [(String, String)] = []
    /// Names whose value could not be decoded.
    private(set) var malformed: Set<String> = []

    init(_ request: Request) {
        guard let query = request.uri.query else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String? { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = parts.first.flatMap(decode) else { continue }
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if let value { values.append((name, value)) } else { malformed.insert(name) }
        }
    }

    subscript(name: String) -> String? { values.first { $0.0 == name }?.1 }
}
