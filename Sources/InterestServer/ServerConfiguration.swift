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
    /// What `POST /v1/train` trains (the defaults of `interests train`).
    public var training: TrainingOptions

    /// The environment variable `interests serve` reads the token from when `--token` is not given.
    public static let tokenVariable = "INTERESTS_TOKEN"

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, maxBodyBytes: Int = 8 << 20,
                maxResults: Int = 1000, listedRejections: Int = 100, training: TrainingOptions = TrainingOptions()) {
        self.host = host
        self.port = port
        self.token = token
        self.maxBodyBytes = maxBodyBytes
        self.maxResults = maxResults
        self.listedRejections = listedRejections
        self.training = training
    }
}
