import Foundation
@testable import InterestStore
import Testing

@Suite struct PostgresLocationTests {
    @Test func readsEveryPartOfTheURL() throws {
        let l = try PostgresLocation(url: "postgres://shop%40eu:s%3Acret@db.example:6543/interests?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=9&schema=Shop_1",
                                     environment: [:])
        #expect((l.user, l.password, l.host, l.port, l.database) == ("shop@eu", "s:cret", "db.example", 6543, "interests"))
        #expect((l.tls, l.rootCertificate, l.connectTimeout, l.schema) == (.verifyFull, "/etc/ca.pem", 9, "shop_1"))
        // Messages and stats never show the password.
        #expect(l.description == "postgres://shop@eu@db.example:6543/interests?sslmode=verify-full&schema=shop_1")
        #expect(!l.description.contains("cret"))
    }

    @Test func defaultsFollowLibpq() throws {
        let l = try PostgresLocation(url: "postgresql://alice@localhost", environment: [:])
        #expect((l.port, l.database, l.tls, l.connectTimeout, l.schema, l.password) == (5432, "alice", .prefer, 5, nil, nil))
        #expect(l.applicationName == "interests")
        let named = try PostgresLocation(url: "postgresql://alice@localhost?application_name=replica-b", environment: [:])
        #expect(named.applicationName == "replica-b" && named.description == "postgres://alice@localhost:5432/alice?application_name=replica-b")
        #expect(PostgresLocation.isURL("postgres://a@b") && !PostgresLocation.isURL("shop.sqlite") && !PostgresLocation.isURL("postgres.sqlite"))
    }

    @Test func thePasswordComesFromTheEnvironmentOrThePasswordFile() throws {
        let env = try PostgresLocation(url: "postgres://bob@h/db", environment: ["PGPASSWORD": "from-env"])
        #expect(env.password == "from-env")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)").path
        try """
            # host:port:database:user:password
            other:5432:db:bob:wrong
            h:5432:*:bob:pa\\:ss\\\\word
            *:*:*:*:fallback
            """.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try PostgresLocation(url: "postgres://bob@h/db", environment: ["PGPASSFILE": file]).password == "pa:ss\\word")
        #expect(try PostgresLocation(url: "postgres://eve@x:1/y", environment: ["PGPASSFILE": file]).password == "fallback")
        // The URL's own password wins.
        #expect(try PostgresLocation(url: "postgres://bob:url@h/db", environment: ["PGPASSWORD": "env", "PGPASSFILE": file]).password == "url")
    }

    @Test(arguments: [
        ("postgres://h/db", "no user"),
        ("postgres://u@/db", "no host"),
        ("postgres://u@h:99999/db", "port 99999 is out of range"),
        ("postgres://u@h/db?sslmode=maybe", "sslmode 'maybe'"),
        ("postgres://u@h/db?schema=drop%20table", "schema 'drop table'"),
        ("postgres://u@h/db?connect_timeout=0", "connect_timeout '0'"),
        ("postgres://u@h/db?pool=3", "unknown parameter 'pool'"),
        ("postgres://u@h/db?application_name=", "application_name ''"),
        ("postgres://u@h/db?application_name=%E5%8F%A3", "application_name '口'"),
        ("postgres://u:secret@h/db?pool=3", "unknown parameter 'pool'"),
    ])
    func badURLsSayWhatIsWrong(_ url: String, _ reason: String) {
        do {
            _ = try PostgresLocation(url: url, environment: [:])
            Issue.record("accepted \(url)")
        } catch {
            let text = "\(error)"
            #expect(text.contains(reason), "\(text)")
            #expect(text.contains("postgres://user[:password]@host"))
            #expect(!text.contains("secret"))
        }
    }

    @Test func anUnreachableServerFailsFastAsUnavailable() throws {
        // A port nothing listens on: connection refused at once (the timeout bounds the rest).
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: StoreError.self) {
            _ = try PostgresStore(url: "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
        }
        guard case .unavailable(let location, _)? = error else { Issue.record("unexpected \(String(describing: error))"); return }
        #expect(location == "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
        #expect("\(error!)".contains("check that the server runs"))
        #expect(clock.now - start < .seconds(10))
    }

    @Test(.enabled(if: Backend.postgresURL != nil, "needs INTERESTS_TEST_POSTGRES (.ci/run sets it)"))
    func aServerThatRefusesSaysWhy() throws {
        let url = try #require(Backend.postgresURL)
        let base = try PostgresLocation(url: url)
        // An unknown database: the server's own reason, not "cannot reach".
        var missing = base
        missing.database = "no_such_database_here"
        let refused = #expect(throws: StoreError.self) { _ = try PostgresStore(location: missing) }
        guard case .postgres(_, let message, let state)? = refused else { Issue.record("unexpected \(String(describing: refused))"); return }
        #expect(state == "3D000" && message.contains("no_such_database_here"))
        // TLS required from a test server that has none.
        var tls = base
        tls.tls = .require
        let noTLS = #expect(throws: StoreError.self) { _ = try PostgresStore(location: tls) }
        guard case .badURL(_, let reason)? = noTLS else { Issue.record("unexpected \(String(describing: noTLS))"); return }
        #expect(reason.contains("does not offer TLS"))
    }

    @Test func aServerGoingAwayIsAnOutageNotAnError() {
        // Shut down by an administrator or a crash, starting up, connection failures: 503 and retry.
        for state in ["57P01", "57P02", "57P03", "08006", "08001"] { #expect(PostgresPool.isOutage(state), "\(state)") }
        // Refusals and mistakes are errors to report: unknown database, bad password, unique violation, syntax.
        for state in ["3D000", "28P01", "23505", "42601"] { #expect(!PostgresPool.isOutage(state), "\(state)") }
        #expect(!PostgresPool.isOutage(nil))
    }

    @Test func passwordsAreHiddenEvenInURLsThatDoNotParse() {
        for url in ["postgres://app:secret@db:5432/shop", "postgres://app:sec ret@db/shop", "postgres://app:secret@[::1/shop",
                    "postgres://app:se@cret@db/shop"] {
            let shown = PostgresLocation.redacted(url)
            #expect(!shown.contains("secret") && !shown.contains("sec ret") && !shown.contains("cret"), "\(url) → \(shown)")
        }
        #expect(PostgresLocation.redacted("postgres://app@db/shop") == "postgres://app@db/shop")
    }
}
