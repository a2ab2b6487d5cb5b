import ArgumentParser
import EventFormat
import InterestCore
import InterestMiner

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load events (JSON Lines or CSV) into the database; idempotent.",
        discussion: """
            Reads each FILE (or stdin when none is given). Lines are canonical events \
            ({"type":"review","user":…,"item":…,"rating":5,"text":…,"ts":…}); other exports \
            ingest with --type and --map, e.g. an Amazon review dump:
              zcat All_Beauty_5.json.gz | interests ingest --type review \\
                --map user=reviewerID,item=asin,rating=overall,ts=unixReviewTime,text=summary+reviewText
            Bad lines are reported as FILE:LINE: reason and skipped; the exit status is 1 when \
            any line was rejected. Re-ingesting the same events adds nothing.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Input files (JSON Lines, or CSV with a header when named *.csv). Reads stdin when none.")
    var files: [String] = []

    @Option(help: "Input format for every input: jsonl or csv (default: by file extension; stdin is jsonl).")
    var format: InputFormat?

    @Option(help: "Event type for records without a type field: item, review, query or interaction.")
    var type: EventKind?

    @Option(help: "Field mapping FIELD=SOURCE[,…]; text and title may join sources with + (text=summary+reviewText).")
    var map: String?

    @Option(name: .customLong("ts-unit"), help: "Unit of numeric timestamps: s or ms.")
    var timestampUnit: TimestampUnit = .seconds

    @Option(name: .customLong("rating-scale"), help: "Top of the input's rating scale (ratings are stored on 0–5).")
    var ratingScale: Double = 5

    @Option(name: .customLong("max-line-bytes"), help: "Longest accepted line, in bytes.")
    var maxLineBytes: Int = 16 << 20

    @Flag(help: "Stop at the first bad line and write nothing from that input.")
    var strict = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        guard ratingScale > 0, ratingScale.isFinite else {
            throw ValidationError("--rating-scale must be a positive number, e.g. 5 or 10")
        }
        guard maxLineBytes >= 1024 else { throw ValidationError("--max-line-bytes must be at least 1024") }
    }

    func run() async throws {
        let mapping: FieldMapping
        do {
            mapping = try map.map { try FieldMapping(parsing: $0) } ?? FieldMapping()
        } catch {
            throw ValidationError("\(error)")
        }
        let miner = try database.open()
        let options = IngestOptions(
            parser: EventParserConfiguration(mapping: mapping, defaultType: type, timestampUnit: timestampUnit,
                                             ratingScale: ratingScale, maxLineBytes: maxLineBytes),
            format: format, strict: strict, bulk: true)
        let sources: [IngestSource] = files.isEmpty ? [.standardInput] : files.map { .file($0) }
        let showProgress = !quiet && !json
        let report = try await miner.ingest(sources, options: options) { p in
            guard showProgress, p.seconds >= 1 else { return }
            var line = "ingesting \(p.source): \(Terminal.count(p.records)) records"
            if let total = p.totalBytes, total > 0 {
                line += String(format: " (%.0f%%)", 100 * Double(p.bytesRead) / Double(total))
            }
            line += String(format: ", %.0f records/s", Double(p.records) / p.seconds)
            Terminal.progress(line)
        }
        if showProgress { Terminal.endProgress() }
        if json {
            try Terminal.printJSON(report)
        } else {
            for r in report.rejections { Terminal.err(r) }
            if report.rejected > report.rejections.count {
                Terminal.err("… and \(Terminal.count(report.rejected - report.rejections.count)) more rejected lines")
            }
            let rate = report.seconds > 0 ? Double(report.read) / report.seconds : 0
            print("read \(Terminal.count(report.read)), inserted \(Terminal.count(report.inserted)), "
                + "duplicates \(Terminal.count(report.duplicates)), updated \(Terminal.count(report.updated)), "
                + "rejected \(Terminal.count(report.rejected))"
                + String(format: " in %.2f s (%.0f events/s)", report.seconds, rate)
                + (report.firstLoad ? "; first load: one transaction, indexes built at its end" : ""))
        }
        if report.rejected > 0 { throw ExitCode(1) }
    }
}

extension InputFormat: ExpressibleByArgument {}
extension EventKind: ExpressibleByArgument {}
extension TimestampUnit: ExpressibleByArgument {}
