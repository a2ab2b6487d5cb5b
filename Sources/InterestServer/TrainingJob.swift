import Foundation
import InterestMiner
import Synchronization

/// `POST /v1/train`: one training run at a time, in the background on its own queue. The models
/// it stores are picked up by the next request (the façade's model cache keys on stored
/// versions and swaps a model in one step), so requests go on being answered by the old models
/// while it trains.
final class TrainingJob: Sendable {
    struct Status: Codable, Sendable, Equatable {
        /// idle, running, succeeded or failed.
        var state: String
        var startedAt: Date?
        var finishedAt: Date?
        /// The stored model versions after the run.
        var versions: [String: Int]?
        var error: String?
    }

    private let miner: InterestMiner
    private let options: TrainingOptions
    private let queue = WorkQueue(label: "interests.train")
    private let status = Mutex(Status(state: "idle"))

    init(miner: InterestMiner, options: TrainingOptions) {
        self.miner = miner
        self.options = options
    }

    var current: Status { status.withLock { $0 } }

    /// Starts a run; nil when one is running already.
    func start() -> Status? {
        let started: Status? = status.withLock { s in
            guard s.state != "running" else { return nil }
            s = Status(state: "running", startedAt: Date())
            return s
        }
        guard let started else { return nil }
        let (miner, options) = (miner, options)
        Task(executorPreference: queue) { [self] in
            let result: Result<[String: Int], InterestMinerError>
            do throws(InterestMinerError) {
                _ = try miner.train(options)
                result = .success(try miner.modelVersions())
            } catch {
                result = .failure(error)
            }
            status.withLock { s in
                s.finishedAt = Date()
                switch result {
                case .success(let versions):
                    s.state = "succeeded"
                    s.versions = versions
                case .failure(let e):
                    s.state = "failed"
                    s.error = e.description
                }
            }
        }
        return started
    }

    /// Waits until no run is going (tests).
    func waitUntilIdle() async {
        while current.state == "running" { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
