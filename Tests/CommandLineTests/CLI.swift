import Foundation

/// Runs the built `interests` executable (the one `swift build`/`swift test` just built, found
/// beside the test bundle) and captures its output.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    enum Failure: Error, CustomStringConvertible {
        case binaryNotFound([String])
        var description: String {
            switch self {
            case .binaryNotFound(let tried): "the interests executable was not found; tried \(tried.joined(separator: ", "))"
            }
        }
    }

    static func executable() throws -> URL {
        var candidates: [URL] = []
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("interests"))
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/interests"))
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
        throw Failure.binaryNotFound(candidates.map(\.path))
    }

    /// Starts `interests args…` with `stdin` written to its standard input.
    static func start(_ args: [String], stdin: Data? = nil, stdout: URL? = nil) throws -> Process {
        let p = Process()
        p.executableURL = try executable()
        p.arguments = args
        if let stdout {
            FileManager.default.createFile(atPath: stdout.path, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: stdout)
            p.standardError = p.standardOutput
        } else {
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
        }
        if let stdin {
            let pipe = Pipe()
            p.standardInput = pipe
            try p.run()
            let writer = pipe.fileHandleForWriting
            DispatchQueue.global().async {
                writer.write(stdin)
                try? writer.close()
            }
            return p
        }
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs to completion and returns status and output.
    /// `train` without a `--sequence…` option trains a small sequence model (two epochs, 16 wide):
    /// the default one runs up to 200 epochs, which the tests of other parts need not wait for.
    static func run(_ args: [String], stdin: Data? = nil) throws -> Result {
        let p = Process()
        p.executableURL = try executable()
        var args = args
        if args.first == "train" && !args.contains(where: { $0.hasPrefix("--sequence") }) {
            args += ["--sequence-epochs", "2", "--sequence-dimension", "16", "--sequence-length", "12"]
        }
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try p.run()
        let writer = input.fileHandleForWriting
        let data = stdin ?? Data()
        DispatchQueue.global().async {
            writer.write(data)
            try? writer.close()
        }
        // Read both pipes concurrently so a full pipe never blocks the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
