import ArgumentParser

/// `interests`: mine e-commerce users' interests from what they write and do, and rank items for
/// them. Every command works on one SQLite file (`--db`, default `interests.sqlite`).
@main
struct Interests: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interests",
        abstract: "Mine users' interests from reviews, queries and behaviour; rank items for them.",
        discussion: """
            All state lives in one SQLite file (--db, default interests.sqlite).
            Start with `interests demo`, or ingest your own events: `interests ingest events.jsonl`.
            """,
        version: "0.1.0",
        subcommands: [
            IngestCommand.self,
            StatsCommand.self,
            TrainCommand.self,
            SimilarCommand.self,
            EmbedCommand.self,
            TermsCommand.self,
            RankCommand.self,
            EvalCommand.self,
            RecommendCommand.self,
            CorpusCommand.self,
            DemoCommand.self,
            TokenizeCommand.self,
            TokenizerCommand.self,
            ServeCommand.self, ForgetCommand.self,
        ])
}
