import Foundation
import InterestMiner
import Synchronization

/// `POST /v1/train`: one training run at a time, in the background on a thread of its own at a
/// lower CPU priority (niceness `nice`: Linux applies it to that thread alone), so requests win
/// the CPU whenever both want it. The run loads the generation it activated for every model
/// the service holds before it finishes (the façade's model cache swaps each in one step), so
/// requests go on being answered by the old models until the new ones are ready.
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
    private let nice: Int32
    private let status = Mutex(Status(state: "idle"))

    init(miner: InterestMiner, options: TrainingOptions, nice: Int32) {
        self.miner = miner
        self.options = options
        self.nice = nice
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
        let (miner, options, nice) = (miner, options, nice)
        let thread = Thread { [self] in
            // Linux: who 0 with PRIO_PROCESS is the calling thread alone. Best effort: a system
            // that refuses leaves the run at normal priority.
            if nice > 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
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
        thread.name = "interests.train"
        thread.start()
        return started
    }

    /// Waits until no run is going (tests).
    func waitUntilIdle() async {
        while current.state == "running" { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
