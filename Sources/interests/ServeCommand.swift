import ArgumentParser
import Foundation
import InterestMiner
import InterestServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service on the database (routes: docs/openapi.yaml).",
        discussion: """
            Binds 127.0.0.1 unless --host says otherwise. With a token (--token, or the environment
            variable \(ServerConfiguration.tokenVariable), which unlike an argument is not visible in `ps`),
            every POST and DELETE needs 'Authorization: Bearer TOKEN'. Stops cleanly on SIGINT/SIGTERM.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Token every write and delete must present (default: $\(ServerConfiguration.tokenVariable)).") var token: String?
    @Option(help: "Largest request body in bytes (larger: 413).") var maxBodyBytes = 8 << 20
    @Option(help: "Threads a POST /v1/train run uses (more: faster runs, slower requests meanwhile).") var trainingThreads = 1
    @Option(help: "Niceness 0–19 of a POST /v1/train run (above 0: requests come first on the CPU).") var trainingNice: Int32 = 10
    @Option(help: "From this many catalogue items on, fused recommendations take their first stage from a candidate index instead of scanning every item (0: always scan).") var candidatesFrom = 20_000

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        if token?.isEmpty == true { throw ValidationError("--token must not be empty") }
        guard trainingThreads >= 1 else { throw ValidationError("--training-threads must be at least 1") }
        guard (0...19).contains(trainingNice) else { throw ValidationError("--training-nice must be 0–19") }
        guard candidatesFrom >= 0 else { throw ValidationError("--candidates-from must be 0 (never) or a catalogue size") }
    }

    func run() async throws {
        let miner = try database.open()
        miner.candidateCatalogueSize = candidatesFrom > 0 ? candidatesFrom : nil
        let secret = token ?? ProcessInfo.processInfo.environment[ServerConfiguration.tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
        if secret == nil && !["127.0.0.1", "localhost", "::1"].contains(host) {
            Terminal.err("warning: listening on \(host) without a token: anyone who can reach it can write and delete (set \(ServerConfiguration.tokenVariable))")
        }
        var training = ServerConfiguration.defaultTraining
        training.threads = trainingThreads
        let configuration = ServerConfiguration(host: host, port: port, token: secret, maxBodyBytes: maxBodyBytes, training: training, trainingNice: trainingNice)
        let app = buildApplication(miner: miner, configuration: configuration)
        Terminal.err("interests serve: http://\(host):\(port) on \(database.db), writes \(secret == nil ? "open (no token)" : "need the token")")
        try await app.runService()
    }
}
