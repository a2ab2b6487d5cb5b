import InterestMiner

/// How `interests serve` runs. The defaults are the safe ones: loopback only, bodies up to
/// 8 MiB, and — when a token is set — every write and delete needs it.
public struct ServerConfiguration: Sendable {
    /// The address to bind (127.0.0.1: only this machine can connect).
    public var host: String
    public var port: Int
    /// When set, `POST` and `DELETE` requests need `Authorization: Bearer <token>`.
    public var token: String?
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

    /// The environment variable `interests serve` reads the token from when `--token` is not given.
    public static let tokenVariable = "INTERESTS_TOKEN"

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, maxBodyBytes: Int = 8 << 20,
                maxResults: Int = 1000, listedRejections: Int = 100, training: TrainingOptions = ServerConfiguration.defaultTraining,
                trainingNice: Int32 = 10) {
        self.host = host
        self.port = port
        self.token = token
        self.maxBodyBytes = maxBodyBytes
        self.maxResults = maxResults
        self.listedRejections = listedRejections
        self.training = training
        self.trainingNice = min(19, max(0, trainingNice))
    }

    public static var defaultTraining: TrainingOptions {
        var options = TrainingOptions()
        options.threads = 1
        return options
    }
}
