import EventFormat
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where events come from.
public enum IngestSource: Sendable, Equatable {
    case file(String)
    case standardInput
    /// In-memory bytes (HTTP bodies, tests), with a name for messages.
    case bytes(name: String, [UInt8])

    /// The name used in `name:line: reason` messages.
    public var name: String {
        switch self {
        case .file(let p): p
        case .standardInput: "<stdin>"
        case .bytes(let n, _): n
        }
    }
}

/// One piece of input that ends on a record boundary.
struct InputChunk: Sendable {
    var bytes: [UInt8]
    /// 1-based line number of the chunk's first line.
    var firstLine: Int
    /// True for the chunk that starts the input (a BOM may be skipped there).
    var isStart: Bool
    /// An over-long record that was skipped while cutting this chunk (reported, not parsed).
    var skippedLongLine: (line: Int, bytes: Int)?
}

/// Reads an input in chunks of whole records (JSON lines, or CSV records whose quoted fields
/// may span lines), so each chunk can be parsed independently. Memory stays bounded: a record
/// longer than `maxRecordBytes` is skipped up to its end and reported, not buffered.
final class InputReader {
    let source: IngestSource
    let format: InputFormat
    let maxRecordBytes: Int
    private let chunkBytes: Int
    private var fd: Int32 = -1
    private var memory: [UInt8]?
    private var memoryOffset = 0
    private var buffer: [UInt8] = []
    private var eof = false
    private var nextLine = 1
    private var started = false
    /// Total bytes read so far (for progress).
    private(set) var bytesRead = 0
    /// Size of the input when known (files and bytes).
    let totalBytes: Int?

    init(_ source: IngestSource, format: InputFormat, maxRecordBytes: Int, chunkBytes: Int = 4 << 20) throws(InterestMinerError) {
        self.source = source
        self.format = format
        self.maxRecordBytes = maxRecordBytes
        self.chunkBytes = chunkBytes
        switch source {
        case .file(let path):
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw .unreadableInput(source: path, reason: String(cString: strerror(errno)))
            }
            guard (st.st_mode & S_IFMT) != S_IFDIR else {
                throw .unreadableInput(source: path, reason: "it is a folder; name the files inside it")
            }
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw .unreadableInput(source: path, reason: String(cString: strerror(errno))) }
            totalBytes = (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : nil
        case .standardInput:
            fd = 0
            totalBytes = nil
        case .bytes(_, let b):
            memory = b
            totalBytes = b.count
        }
    }

    deinit {
        if fd > 0 { close(fd) }
    }

    /// The next chunk of whole records, or nil at the end of input. A record skipped for its
    /// length comes alone, in a chunk of no bytes, so each one is reported, the last too.
    func next() throws(InterestMinerError) -> InputChunk? {
        while true {
            if !eof && buffer.count < chunkBytes { try fill() }
            if !started && !buffer.isEmpty {
                if buffer.count >= 2 && buffer[0] == 0x1F && buffer[1] == 0x8B {
                    throw .unreadableInput(source: source.name, reason: "it is gzip-compressed; decompress it first (e.g. with zcat)")
                }
            }
            if buffer.isEmpty && eof { return nil }
            var cut = eof ? buffer.count : buffer.withUnsafeBytes { RecordBoundary.lastCompleteRecordEnd($0, format: format) }
            if cut == 0 {
                // No record ends in what is buffered. Keep reading while it could still be a
                // legal record; past the limit, skip to the next newline and report it.
                if buffer.count <= maxRecordBytes + 1 && !eof {
                    try fill(force: true)
                    continue
                }
                let line = nextLine
                var length = buffer.count
                buffer.removeAll(keepingCapacity: true)
                var found = false
                while !found {
                    if eof { break }
                    try fill(force: true)
                    if let nl = buffer.firstIndex(of: 0x0A) {
                        length += nl + 1
                        buffer.removeSubrange(0...nl)
                        found = true
                    } else {
                        length += buffer.count
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                nextLine += 1
                started = true
                return InputChunk(bytes: [], firstLine: line, isStart: false, skippedLongLine: (line, length))
            }
            if cut > chunkBytes * 2, !eof {
                // Keep chunks near the target size: cut at an earlier boundary when possible.
                let prefix = Array(buffer[0..<chunkBytes])
                let early = prefix.withUnsafeBytes { RecordBoundary.lastCompleteRecordEnd($0, format: format) }
                if early > 0 { cut = early }
            }
            let bytes = Array(buffer[0..<cut])
            buffer.removeSubrange(0..<cut)
            let chunk = InputChunk(bytes: bytes, firstLine: nextLine, isStart: !started, skippedLongLine: nil)
            started = true
            nextLine += bytes.reduce(into: 0) { n, b in if b == 0x0A { n += 1 } }
            return chunk
        }
    }

    /// Lines handed out so far (the next chunk starts at this line).
    var linesConsumed: Int { nextLine - 1 }

    private func fill(force: Bool = false) throws(InterestMinerError) {
        let want = max(chunkBytes, force ? buffer.count + chunkBytes : 0)
        if var mem = memory {
            let n = min(want - buffer.count, mem.count - memoryOffset)
            if n > 0 {
                buffer.append(contentsOf: mem[memoryOffset..<(memoryOffset + n)])
                memoryOffset += n
                bytesRead += n
            }
            if memoryOffset >= mem.count {
                eof = true
                mem = []
                memory = mem
            }
            return
        }
        var readInThisCall = 0
        let target = want - buffer.count
        var scratch = [UInt8](repeating: 0, count: min(max(target, 1 << 16), 8 << 20))
        while readInThisCall < target {
            let n = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadableInput(source: source.name, reason: String(cString: strerror(errno)))
            }
            if n == 0 {
                eof = true
                break
            }
            buffer.append(contentsOf: scratch[0..<n])
            readInThisCall += n
            bytesRead += n
        }
    }
}
