import ArgumentParser
import InterestCore
import InterestMiner

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Counts per event type, users, items, time range and file size.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print as JSON.")
    var json = false

    @Flag(help: "Also run SQLite's integrity check (reads the whole file).")
    var integrity = false

    func run() async throws {
        let miner = try database.open()
        let stats = try miner.stats()
        if json {
            try Terminal.printJSON(stats)
        } else {
            print(Self.render(stats, path: miner.databasePath))
        }
        if integrity {
            let result = try miner.integrityCheck()
            print(result == "ok" ? "integrity ok" : "integrity FAILED: \(result)")
            if result != "ok" { throw ExitCode(2) }
        }
    }

    static func render(_ s: DatabaseStats, path: String) -> String {
        var rows: [[String]] = [
            ["users", Terminal.count(s.users)],
            ["items", Terminal.count(s.items) + " (\(Terminal.count(s.describedItems)) described)"],
            ["reviews", Terminal.count(s.reviews)],
            ["queries", Terminal.count(s.queries)],
            ["interactions", Terminal.count(s.interactions)],
        ]
        for action in Action.allCases {
            if let n = s.interactionsByAction[action.rawValue] { rows.append(["  " + action.rawValue, Terminal.count(n)]) }
        }
        if let a = s.firstTimestamp, let b = s.lastTimestamp {
            rows.append(["time range", "\(Terminal.date(a)) – \(Terminal.date(b))"])
        }
        for (kind, version) in s.models.sorted(by: { $0.key < $1.key }) {
            rows.append(["model " + kind, "v\(version)"])
        }
        for g in s.generations.prefix(5) {
            let when = g.activatedAt.map { "activated \(Terminal.date($0))" } ?? "started \(Terminal.date(g.startedAt))"
            rows.append(["generation \(g.id)", "\(g.state), \(when), rebuilt \(g.parts.joined(separator: " "))"])
        }
        if s.forgottenAwaitingRetrain > 0 {
            rows.append(["forgotten users", "\(Terminal.count(s.forgottenAwaitingRetrain)) still in trained models until the next complete train"])
        }
        // On PostgreSQL: the bytes of this store's tables on the server, indexes included.
        rows.append([path.hasPrefix("postgres") ? "tables on server" : "file size", Terminal.bytes(s.fileBytes)])
        return "database \(path)\n" + Terminal.table(nil, rows)
    }
}
