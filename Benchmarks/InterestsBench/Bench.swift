import ArgumentParser

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interests-bench",
        abstract: "InterestMiner's in-process benchmarks (release builds only give meaningful figures).",
        subcommands: [IngestBench.self, TokenizeBench.self, SkipGramBench.self, EmbedBench.self, ALSBench.self, TermsBench.self,
                      RecommendBench.self, TransformerBench.self, CandidatesBench.self, SequenceBench.self, SequenceScoresBench.self])
}
