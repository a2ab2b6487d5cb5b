import ArgumentParser
import CollaborativeFiltering
import Foundation

/// ALS seconds per iteration on a matrix file both sides read (Benchmarks/cf/bench.py writes it
/// for `implicit` and for us), so the two fit exactly the same matrix.
///
/// Matrix file (little-endian): "IMCSR1\0\0", Int64 rows, columns, nonzeros, Int64
/// indptr[rows + 1], Int32 indices[nonzeros], Float32 values[nonzeros].
struct ALSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "als", abstract: "ALS s/iteration on a CSR matrix file.")

    @Argument(help: "The matrix file.") var matrix: String
    @Option var factors: Int = 64
    @Option var iterations: Int = 15
    @Option var regularization: Float = 0.05
    @Option var alpha: Float = 10
    @Option var threads: Int = 2
    @Option var seed: UInt64 = 1
    @Option(help: "Write user and item factors here (raw Float32, users then items) for a quality check.") var factorsOut: String?

    struct Result: Codable {
        var rows: Int
        var columns: Int
        var nonZeros: Int
        var loadSeconds: Double
        var iterationSeconds: [Double]
        var secondsPerIteration: Double
        var peakRSSMegabytes: Double
    }

    func run() async throws {
        let clock = ContinuousClock()
        var start = clock.now
        let m = try Self.read(matrix)
        let load = (clock.now - start).seconds
        let trainer = try ALSTrainer(ALSConfiguration(factors: factors, regularization: regularization, alpha: alpha, iterations: iterations,
                                                      seed: seed, threads: threads, computeLoss: false))
        var times: [Double] = []
        start = clock.now
        var last = start
        let model = try trainer.train(m) { _, _ in
            let now = clock.now
            times.append((now - last).seconds)
            last = now
        }
        let total = (clock.now - start).seconds
        if let factorsOut {
            let data = (model.userFactors + model.itemFactors).withUnsafeBufferPointer { Data(buffer: $0) }
            try data.write(to: URL(fileURLWithPath: factorsOut))
        }
        let result = Result(rows: m.rows, columns: m.columns, nonZeros: m.nonZeros, loadSeconds: load, iterationSeconds: times,
                            secondsPerIteration: total / Double(iterations), peakRSSMegabytes: Self.peakRSSMegabytes())
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }

    static func read(_ path: String) throws -> SparseMatrix {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        guard bytes.count >= 32, Array(bytes[0..<6]) == Array("IMCSR1".utf8) else {
            throw ValidationError("\(path) is not an IMCSR1 matrix file (see Benchmarks/cf/README.md)")
        }
        func int64(_ at: Int) -> Int {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[at + k]) << (8 * k) }
            return Int(Int64(bitPattern: v))
        }
        let rows = int64(8), columns = int64(16), nnz = int64(24)
        let need = 32 + 8 * (rows + 1) + 4 * nnz + 4 * nnz
        guard rows >= 0, columns >= 0, nnz >= 0, bytes.count == need else {
            throw ValidationError("\(path): header says \(rows)×\(columns) with \(nnz) entries, which needs \(need) bytes; the file has \(bytes.count)")
        }
        var indptr = [Int](repeating: 0, count: rows + 1)
        var indices = [Int32](repeating: 0, count: nnz)
        var values = [Float](repeating: 0, count: nnz)
        data.withUnsafeBytes { raw in
            for r in 0...rows { indptr[r] = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 32 + 8 * r, as: Int64.self))) }
            let ib = 32 + 8 * (rows + 1)
            for k in 0..<nnz { indices[k] = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: ib + 4 * k, as: Int32.self)) }
            let vb = ib + 4 * nnz
            for k in 0..<nnz { values[k] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: vb + 4 * k, as: UInt32.self))) }
        }
        guard indptr.first == 0, indptr.last == nnz, zip(indptr, indptr.dropFirst()).allSatisfy({ $0 <= $1 }),
              indices.allSatisfy({ $0 >= 0 && Int($0) < columns }) else {
            throw ValidationError("\(path): indptr or indices are out of range")
        }
        return SparseMatrix(rows: rows, columns: columns, indptr: indptr, indices: indices, values: values)
    }

    /// Peak resident set size of this process (VmHWM), in MB.
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
            return kb / 1024
        }
        return 0
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
