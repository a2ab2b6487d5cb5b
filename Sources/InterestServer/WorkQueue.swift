import Dispatch

/// A task executor backed by one serial dispatch queue: work given to it runs on that queue's
/// thread, off Swift's cooperative pool. The service runs every database write (ingest, forget)
/// on one such queue and training on another, so blocking writes never occupy the threads that
/// answer reads.
final class WorkQueue: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
