import ArgumentParser
import InterestMiner

struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Nearest items and interest terms to a text or a term (semantic search over the catalogue).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Free text to search with.") var text: String?
    @Option(help: "A term to find neighbours of.") var term: String?
    @Option(help: "How many items and terms.") var top: Int = 10
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard (text == nil) != (term == nil) else { throw ValidationError("give exactly one of --text \"…\" or --term WORD") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() async throws {
        let miner = try database.open()
        let result = try text.map { try miner.similar(text: $0, top: top) } ?? miner.similar(term: term ?? "", top: top)
        if json {
            try Terminal.printJSON(result)
            return
        }
        guard result.understood else {
            print("nothing in \"\(result.query)\" is known to the text model; try other words")
            return
        }
        print("items nearest to \"\(result.query)\":")
        print(Terminal.table(["item", "title", "score"], result.items.map { [$0.item, $0.title ?? "", String(format: "%.3f", $0.score)] }))
        print()
        print("terms nearest to \"\(result.query)\":")
        print(Terminal.table(["term", "score"], result.terms.map { [$0.term, String(format: "%.3f", $0.score)] }))
    }
}
