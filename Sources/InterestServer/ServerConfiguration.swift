import InterestMiner

/// How `interests serve` runs. The defaults are the safe ones: loopback only, bodies up to
/// 8 MiB, and — when a token is set — every `/v1` route needs a token (reads too, unless
/// `publicReads`).
public struct ServerConfiguration: Sendable {
    /// The address to bind (127.0.0.1: only this machine can connect).
    public var host: String
    public var port: Int
    /// The write token. When set, every `/v1` request needs `Authorization: Bearer <token>`:
    /// writes this one, reads this one or `readToken` (reads need none with `publicReads`).
    /// `/healthz` and `/metrics` never need a token.
    public var token: String?
    /// A token that grants reads only (the `GET` routes and `POST /v1/rank`); a write presenting
    /// it gets 403. Needs `token` (see `accessProblem`).
    public var readToken: String?
    /// With `token` set: reads need no token; writes still need `token`.
    public var publicReads: Bool
    /// Request bodies larger than this get 413.
    public var maxBodyBytes: Int
    /// The largest `k` / `top` a request may ask for.
    public var maxResults: Int
    /// Per-line errors listed in an events answer (the rest are counted).
    public var listedRejections: Int
    /// What `POST /v1/train` trains (the defaults of `interests train`, with one thread: requests
    /// come first on a shared machine).
    public var training: TrainingOptions
    /// The niceness (0–19) of the thread a `POST /v1/train` run works on: above 0, requests win
    /// the CPU whenever both want it, and the run takes what is left.
    public var trainingNice: Int32
    /// Serve the web console (`GET /console…`, read access); false: those paths are 404.
    public var console: Bool

    /// The environment variable `interests serve` reads the token from when `--token` is not given.
    public static let tokenVariable = "INTERESTS_TOKEN"
    /// The environment variable `interests serve` reads the read token from when `--read-token` is not given.
    public static let readTokenVariable = "INTERESTS_READ_TOKEN"

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, readToken: String? = nil, publicReads: Bool = false,
                maxBodyBytes: Int = 8 << 20, maxResults: Int = 1000, listedRejections: Int = 100,
                training: TrainingOptions = ServerConfiguration.defaultTraining, trainingNice: Int32 = 10, console: Bool = true) {
        self.host = host
        self.port = port
        self.token = token
        self.readToken = readToken
        self.publicReads = publicReads
        self.maxBodyBytes = maxBodyBytes
        self.maxResults = maxResults
        self.listedRejections = listedRejections
        self.training = training
        self.trainingNice = min(19, max(0, trainingNice))
        self.console = console
    }

    /// Why this combination of tokens is refused (`interests serve` stops with it before it
    /// listens), or nil. Each refused combination would protect less than it seems to: a read
    /// token without a write token would leave writes open (the service refuses every write
    /// then, but an operator should not find that out from a 403); a read token equal to the
    /// write token would grant writes; public reads make a read token pointless and, without a
    /// token, change nothing (everything is open).
    public var accessProblem: String? {
        let write = token.flatMap { $0.isEmpty ? nil : $0 }
        let read = readToken.flatMap { $0.isEmpty ? nil : $0 }
        if token?.isEmpty == true { return "the token must not be empty" }
        if readToken?.isEmpty == true { return "the read token must not be empty" }
        if read != nil && write == nil {
            return "a read token (--read-token or \(Self.readTokenVariable)) needs a write token too (--token or \(Self.tokenVariable)): "
                + "without one, writes would not be protected"
        }
        if let read, read == write { return "the read token and the write token must differ (the read token would grant writes)" }
        if publicReads && read != nil { return "--public-reads and a read token contradict each other: with public reads, reads need no token" }
        if publicReads && write == nil {
            return "--public-reads needs a token (--token or \(Self.tokenVariable)): without one, every route is open, writes too"
        }
        return nil
    }

    public static var defaultTraining: TrainingOptions {
        var options = TrainingOptions()
        options.threads = 1
        return options
    }
}
