import ArgumentParser
import Foundation
import InterestMiner
import InterestServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service on the database (routes: docs/openapi.yaml).",
        discussion: """
            Binds 127.0.0.1 unless --host says otherwise. With a token (--token, or the environment \
            variable \(ServerConfiguration.tokenVariable), which unlike an argument is not visible in `ps`), \
            every /v1 request needs 'Authorization: Bearer TOKEN': writes that token, reads that token or \
            the read token (--read-token or \(ServerConfiguration.readTokenVariable)); with --public-reads, \
            reads need none. /healthz and /metrics never need a token. Stops cleanly on SIGINT/SIGTERM.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "The write token: every /v1 request must present it, or for reads the read token (default: $\(ServerConfiguration.tokenVariable)).") var token: String?
    @Option(help: "A token that grants reads only; needs --token (default: $\(ServerConfiguration.readTokenVariable)).") var readToken: String?
    @Flag(help: "With a token: reads (GET routes, POST /v1/rank) need no token; writes still do.") var publicReads = false
    @Option(help: "Largest request body in bytes (larger: 413).") var maxBodyBytes = 8 << 20
    @Option(help: "Threads a POST /v1/train run uses (more: faster runs, slower requests meanwhile).") var trainingThreads = 1
    @Option(help: "Niceness 0–19 of a POST /v1/train run (above 0: requests come first on the CPU).") var trainingNice: Int32 = 10
    @Flag(help: "Serve no web console (GET /console, /console/users/ID, /console/items/ID answer 404).") var noConsole = false
    @Option(help: "From this many catalogue items on, fused recommendations take their first stage from a candidate index instead of scanning every item (0: always scan).") var candidatesFrom = 20_000

    /// The tokens: the options, else the environment variables (an empty variable counts as unset).
    private var tokens: (write: String?, read: String?) {
        let environment = ProcessInfo.processInfo.environment
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return (token ?? variable(ServerConfiguration.tokenVariable), readToken ?? variable(ServerConfiguration.readTokenVariable))
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        if token?.isEmpty == true { throw ValidationError("--token must not be empty") }
        if readToken?.isEmpty == true { throw ValidationError("--read-token must not be empty") }
        guard trainingThreads >= 1 else { throw ValidationError("--training-threads must be at least 1") }
        guard (0...19).contains(trainingNice) else { throw ValidationError("--training-nice must be 0–19") }
        guard candidatesFrom >= 0 else { throw ValidationError("--candidates-from must be 0 (never) or a catalogue size") }
        let (write, read) = tokens
        if let problem = ServerConfiguration(token: write, readToken: read, publicReads: publicReads).accessProblem {
            throw ValidationError(problem)
        }
    }

    func run() async throws {
        let miner = try database.open()
        miner.candidateCatalogueSize = candidatesFrom > 0 ? candidatesFrom : nil
        let (write, read) = tokens
        if write == nil && !["127.0.0.1", "localhost", "::1"].contains(host) {
            Terminal.err("warning: listening on \(host) without a token: anyone who can reach it can read, write and delete (set \(ServerConfiguration.tokenVariable))")
        }
        var training = ServerConfiguration.defaultTraining
        training.threads = trainingThreads
        let configuration = ServerConfiguration(host: host, port: port, token: write, readToken: read, publicReads: publicReads,
                                                maxBodyBytes: maxBodyBytes, training: training, trainingNice: trainingNice,
                                                console: !noConsole)
        let app = buildApplication(miner: miner, configuration: configuration)
        let access = write == nil ? "every route open (no token)"
            : publicReads ? "reads open, writes need the token"
            : read == nil ? "reads and writes need the token" : "reads need the read or write token, writes the write token"
        Terminal.err("interests serve: http://\(host):\(port) on \(miner.databasePath), \(access); /healthz and /metrics open"
                     + (noConsole ? "; no web console" : "; web console at /console (reads' access)"))
        try await app.runService()
    }
}
