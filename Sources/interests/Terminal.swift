import Foundation

/// Small helpers for what commands print: stderr lines, progress, JSON, aligned tables and
/// human-readable numbers.
enum Terminal {
    static let stderrIsTTY = isatty(2) == 1

    static func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A progress line: rewritten in place on a terminal, one line every few seconds otherwise.
    static func progress(_ line: String) {
        if stderrIsTTY {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            err(line)
        }
    }

    static func endProgress() {
        if stderrIsTTY { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// Writes bytes to standard output whole (retrying short writes and interrupted calls),
    /// with no copy; throws the system's reason when the output is gone (e.g. a full disk).
    static func writeOut(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < raw.count {
                let n = write(1, base + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw OutputError(reason: "standard output: " + String(cString: strerror(errno)))
                }
                done += n
            }
        }
    }

    struct OutputError: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// Prints a value as one line of JSON (keys sorted, so output is stable).
    static func printJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        let data = try enc.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }

    /// Left-aligned first column, right-aligned others; the header (if any) is the first row.
    static func table(_ header: [String]? = nil, _ rows: [[String]]) -> String {
        let all = (header.map { [$0] } ?? []) + rows
        guard let width = all.map(\.count).max() else { return "" }
        let header = Array(0..<width)
        let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: max(0, widths[c] - cell.count))
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// 1234567 → "1,234,567".
    static func count(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (k, ch) in s.reversed().enumerated() {
            if k > 0 && k % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }

    /// Bytes as "12.3 MB".
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(n)
        var u = 0
        while v >= 1000 && u < units.count - 1 {
            v /= 1000
            u += 1
        }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }

    /// Unix seconds as an ISO-8601 UTC date-time.
    static func date(_ ts: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(ts)))
    }
}
