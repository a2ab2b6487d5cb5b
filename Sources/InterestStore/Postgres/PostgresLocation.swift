import Foundation

/// Where a PostgreSQL store lives, read from a `postgres://` URL the way libpq reads one:
///
///     postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…&connect_timeout=…&schema=…&application_name=…]
///
/// The password comes from the URL, else `PGPASSWORD`, else the password file (`PGPASSFILE`,
/// else `~/.pgpass`; lines `host:port:database:user:password`, `*` matching anything). TLS
/// follows libpq's `sslmode`: `disable`; `prefer` (the default: TLS when the server offers it,
/// unverified); `require` (TLS, unverified); `verify-ca` (the server's chain checked against
/// `sslrootcert` or the system's roots); `verify-full` (the chain and the host name).
/// `schema` puts every table in that schema (created when missing), so several shops — or
/// tests — can share one database. `application_name` (default `interests`) names the
/// connections in `pg_stat_activity`, so an operator can tell replicas and workers apart.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var schema: String?
    public var tls: TLSMode
    /// PEM file of the certificate authorities that `verify-ca` / `verify-full` trust.
    public var rootCertificate: String?
    public var connectTimeout: Int
    public var applicationName: String
    var password: String?

    /// Whether `--db` names a PostgreSQL database rather than an SQLite file.
    public static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    static let parameters = ["sslmode", "sslrootcert", "connect_timeout", "schema", "application_name"]

    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        func bad(_ reason: String) -> StoreError {
            .badURL(url: Self.redacted(url), reason: reason + "; write it as postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require|verify-ca|verify-full&schema=name]")
        }
        guard Self.isURL(url), let parts = URLComponents(string: url) else { throw bad("not a postgres:// URL") }
        guard let host = parts.host, !host.isEmpty else { throw bad("the URL names no host") }
        guard let user = parts.user, !user.isEmpty else { throw bad("the URL names no user") }
        self.host = host
        self.user = user
        port = parts.port ?? 5432
        guard (1...65535).contains(port) else { throw bad("port \(port) is out of range") }
        let name = String(parts.path.drop(while: { $0 == "/" }))
        database = name.isEmpty ? user : name
        tls = .prefer
        connectTimeout = 5
        applicationName = "interests"
        for item in parts.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw bad("sslmode '\(value)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case "sslrootcert":
                rootCertificate = value
            case "connect_timeout":
                guard let seconds = Int(value), (1...3600).contains(seconds) else { throw bad("connect_timeout '\(value)' is not a number of seconds from 1 to 3600") }
                connectTimeout = seconds
            case "schema":
                guard Self.isIdentifier(value) else {
                    throw bad("schema '\(value)' is not a plain name (letters, digits, _; at most 63; not starting with a digit)")
                }
                schema = value.lowercased()
            case "application_name":
                // PostgreSQL keeps 63 bytes of printable ASCII; anything else would be changed silently.
                guard !value.isEmpty, value.utf8.count <= 63, value.utf8.allSatisfy({ (32...126).contains($0) }) else {
                    throw bad("application_name '\(value)' is not 1 to 63 printable ASCII characters")
                }
                applicationName = value
            default:
                throw bad("unknown parameter '\(item.name)' (known: \(Self.parameters.joined(separator: ", ")))")
            }
        }
        password = parts.password ?? environment["PGPASSWORD"] ?? Self.passwordFromFile(environment: environment, host: host, port: port, database: database, user: user)
    }

    /// The URL without its password (for messages and `stats`).
    public var description: String {
        var text = "postgres://\(user)@\(host):\(port)/\(database)"
        var query: [String] = []
        if tls != .prefer { query.append("sslmode=\(tls.rawValue)") }
        if let schema { query.append("schema=\(schema)") }
        if applicationName != "interests" { query.append("application_name=\(applicationName)") }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        return text
    }

    /// `url` with any password replaced by `***`; a URL too malformed to parse loses everything
    /// between `://` and the last `@` (where user and password would be).
    static func redacted(_ url: String) -> String {
        if var parts = URLComponents(string: url) {
            guard parts.password != nil else { return url }
            parts.password = "***"
            return parts.string ?? "postgres://…"
        }
        guard let scheme = url.range(of: "://") else { return url }
        guard let at = url.range(of: "@", options: .backwards), at.lowerBound >= scheme.upperBound else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(url[at.lowerBound...])
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 63, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return s.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_")
        }
    }

    /// The first matching line of the password file (libpq's format; `\:` and `\\` escaped).
    static func passwordFromFile(environment: [String: String], host: String, port: Int, database: String, user: String) -> String? {
        let path = environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = [], field = "", escaped = false
            for ch in line {
                if escaped { field.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == ":" && fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else { field.append(ch) }
            }
            fields.append(field)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
