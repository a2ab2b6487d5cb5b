import ArgumentParser
import EventFormat
import Foundation
import InterestMiner

struct TermsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terms",
        abstract: "What a user is into, in readable terms, with evidence and interest clusters.",
        discussion: """
            Terms come from the user's reviews and queries and from the items they touched, weighted by
            the profile rule and decayed by its half-life from the user's newest event; score = closeness
            to the user's interest + how distinctive the term is for the user against the shop; up to --next
            places go to what the user is likely to want next: terms of the items bought together with
            theirs that they have not used yet (evidence 0; README "Interest terms"). --users FILE --json
            answers for many users, one JSON line each.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The user.") var user: String?
    @Option(help: "A file of user ids, one a line (with --json).") var users: String?
    @Option(help: "How many terms.") var top: Int = 10
    @Option(help: "Only events at or after this time: 2025-06-01, an ISO-8601 time, or Unix seconds.") var since: String?
    @Option(help: "At most this many terms for what the user is likely to want next (0: none; default: as `interests train` chose for the database).") var next: Int?
    @Flag(help: "List the user's texts that support each term (and the items a 'next' term points to).") var explain = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard (user == nil) != (users == nil) else { throw ValidationError("give exactly one of --user ID or --users FILE") }
        if users != nil && !json { throw ValidationError("--users FILE prints JSON Lines; add --json") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        if let next, next < 0 { throw ValidationError("--next must be 0 or more") }
        if let since { _ = try parseSince(since) }
    }

    func parseSince(_ text: String) throws -> Int64 {
        do { return try TimestampParser().parse(text: text) } catch {
            throw ValidationError("--since '\(text)': \(error); use a date like 2025-06-01, an ISO-8601 time or Unix seconds")
        }
    }

    func run() async throws {
        let miner = try database.openForReading()
        let options = TermsOptions(top: top, since: try since.map(parseSince), explain: explain, nextPlaces: next)
        if let users {
            let list = try InterestMiner.readLines([users]).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            try miner.terms(users: list, options: options) { answer in try Terminal.printJSON(answer) }
            return
        }
        let answer = try miner.terms(user: user ?? "", options: options)
        if json {
            try Terminal.printJSON(answer)
            return
        }
        if let note = answer.note {
            print("\(answer.user): \(note)")
            return
        }
        let shares = answer.interests.map { "#\($0.cluster + 1) \(Int(($0.share * 100).rounded()))%" }.joined(separator: ", ")
        print("\(answer.user): \(answer.events) events, \(answer.interests.count) interest\(answer.interests.count == 1 ? "" : "s") (\(shares))")
        print(Terminal.table(["term", "score", "evidence", "interest"],
                             answer.terms.map { [$0.term, String(format: "%.3f", $0.score), "\($0.evidence)", "#\($0.cluster + 1)"] }))
        if explain {
            for t in answer.terms {
                print()
                print("\(t.term):")
                for s in t.support ?? [] { print("  · \(s)") }
                if let items = t.next, !items.isEmpty {
                    print("  · (next: the reviews of \(items.joined(separator: ", ")), bought together with the user's items)")
                } else if (t.support ?? []).isEmpty {
                    print("  · (from the items the user touched)")
                }
            }
        }
    }
}
