import ArgumentParser
import Foundation
import InterestMiner

struct RankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Rank items for a user by the fused text + behaviour score, with the signals behind each.",
        discussion: """
            Scores every item (or --items A,B,…) for --user; seen items are left out unless --include-seen.
            With --query "text" it is personalised search: relevance to the query leads, the user's interests
            and behaviour order within it. --explain adds the user's interest terms each item matches, the
            recent item of theirs it is most like, and the history items the sequence model drew on most for it.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The user.") var user: String
    @Option(help: "Candidate items, comma-separated (default: the whole catalogue).") var items: String?
    @Option(help: "Personalised search: a free-text query.") var query: String?
    @Option(help: "How many items.") var top: Int = 10
    @Flag(help: "Show matched interest terms, the most similar recent item and the history items the sequence model drew on.") var explain = false
    @Flag(name: .customLong("include-seen"), help: "Also rank items the user already reviewed or interacted with.") var includeSeen = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        if let items, items.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--items needs at least one item id, comma-separated")
        }
        if let query, query.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--query must not be empty") }
    }

    func run() async throws {
        let miner = try database.open()
        // One user, one day: read that day's item activity, not every item's whole history.
        miner.itemActivityInMemory = false
        let list = items?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let result = try miner.rank(user: user, items: list, query: query, top: top, explain: explain, includeSeen: includeSeen)
        if json {
            try Terminal.printJSON(result)
            return
        }
        if let note = result.note { print(note) }
        print("\(result.user) (\(result.segment) user)" + (result.query.map { ", query \"\($0)\"" } ?? ""))
        var header = ["item", "title", "score", "text", "cf", "attention", "popularity"]
        let sequence = result.items.contains { $0.sequence != nil }
        if sequence { header.append("sequence") }
        if result.query != nil { header.append("query") }
        if explain { header += ["matches", "like"] + (sequence ? ["because of"] : []) }
        let rows = result.items.map { r -> [String] in
            var row = [r.item, String((r.title ?? "").prefix(40)), f(r.score), f(r.text), f(r.cf), f(max(r.attention, r.cfAttention)), f(r.popularity)]
            if sequence { row.append(r.sequence.map(f) ?? "") }
            if let q = r.query { row.append(f(q)) }
            if explain { row += [(r.terms ?? []).joined(separator: ", "), r.like ?? ""] + (sequence ? [(r.becauseOf ?? []).joined(separator: ", ")] : []) }
            return row
        }
        print(Terminal.table(header, rows))
    }

    private func f(_ x: Double) -> String { String(format: "%.2f", x) }
}
