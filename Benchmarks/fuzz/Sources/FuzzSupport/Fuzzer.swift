import CFuzzer
#if canImport(Glibc)
import Glibc
#endif

/// The harness body libFuzzer calls (set once by `runFuzzer`, before the driver starts).
nonisolated(unsafe) private var target: (([UInt8]) -> Void)?

/// Runs libFuzzer's driver with `body` as the fuzz target and exits with its status. The
/// command line is libFuzzer's (`-max_total_time=600 corpus/`, `-runs=0 crash-file`, …).
public func runFuzzer(_ body: @escaping ([UInt8]) -> Void) -> Never {
    target = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        target?(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
    exit(status)
}

/// A property every input must keep was broken: stop like a crash, so libFuzzer saves the input.
public func violated(_ what: String) -> Never {
    fatalError("fuzz invariant violated: \(what)")
}
