/// Little-endian binary writing and reading for stored models (vectors, factors): a magic
/// header, then fixed-width integers and Float32 arrays. Reading never traps: a short or
/// malformed buffer is an error naming what was being read.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(magic: String) {
        bytes.append(contentsOf: magic.utf8)
    }

    public mutating func write(_ v: Int64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ v: Int) { write(Int64(v)) }

    public mutating func write(_ v: Float) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ values: [Float]) {
        write(values.count)
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    }

    public mutating func write(_ values: [Int]) {
        write(values.count)
        for v in values { write(Int64(v)) }
    }

    /// A length-prefixed run of bytes (a nested payload).
    public mutating func write(bytes: [UInt8]) {
        write(bytes.count)
        self.bytes += bytes
    }
}

public struct BinaryReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let what: String
    public var description: String { "truncated or malformed data while reading \(what)" }
}

public struct BinaryReader {
    private let bytes: [UInt8]
    private var offset = 0

    /// Starts reading after checking the magic header.
    public init(_ bytes: [UInt8], magic: String) throws(BinaryReadError) {
        self.bytes = bytes
        let m = Array(magic.utf8)
        guard bytes.count >= m.count, Array(bytes[0..<m.count]) == m else { throw BinaryReadError(what: "the header (\(magic))") }
        offset = m.count
    }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readInt64(_ what: String) throws(BinaryReadError) -> Int64 {
        guard offset + 8 <= bytes.count else { throw BinaryReadError(what: what) }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        offset += 8
        return Int64(bitPattern: v)
    }

    public mutating func readInt(_ what: String) throws(BinaryReadError) -> Int {
        let v = try readInt64(what)
        guard v >= Int64(Int.min) && v <= Int64(Int.max) else { throw BinaryReadError(what: what) }
        return Int(v)
    }

    public mutating func readFloat(_ what: String) throws(BinaryReadError) -> Float {
        guard offset + 4 <= bytes.count else { throw BinaryReadError(what: what) }
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(bytes[offset + k]) << (8 * UInt32(k)) }
        offset += 4
        return Float(bitPattern: v)
    }

    public mutating func readFloats(_ what: String) throws(BinaryReadError) -> [Float] {
        let n = try readInt(what)
        guard n >= 0, n <= (bytes.count - offset) / 4 else { throw BinaryReadError(what: what) }
        let out = bytes.withUnsafeBytes { raw in LittleEndianFloats.array(raw, offset: offset, count: n) }
        offset += n * 4
        return out
    }

    /// What `write(bytes:)` wrote.
    public mutating func readBytes(_ what: String) throws(BinaryReadError) -> [UInt8] {
        let n = try readInt(what)
        guard n >= 0, n <= bytes.count - offset else { throw BinaryReadError(what: what) }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    public mutating func readInts(_ what: String) throws(BinaryReadError) -> [Int] {
        let n = try readInt(what)
        guard n >= 0, n <= (bytes.count - offset) / 8 else { throw BinaryReadError(what: what) }
        var out: [Int] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readInt(what)) }
        return out
    }
}

/// The one decoder of little-endian Float32 runs (vector BLOBs, model payloads, safetensors,
/// SQLite columns read in bulk): a memory copy on little-endian machines.
public enum LittleEndianFloats {
    /// Writes the `count` floats stored from byte `offset` of `raw` to `out`. The caller has
    /// checked that `offset + 4 * count <= raw.count`.
    @inlinable
    public static func load(_ raw: UnsafeRawBufferPointer, offset: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        guard count > 0, let base = raw.baseAddress else { return }
        #if _endian(little)
        UnsafeMutableRawPointer(out).copyMemory(from: base + offset, byteCount: 4 * count)
        #else
        for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self))) }
        #endif
    }

    /// The `count` floats stored from byte `offset` of `raw` as an array (bounds checked by the caller).
    @inlinable
    public static func array(_ raw: UnsafeRawBufferPointer, offset: Int, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if let base = out.baseAddress { load(raw, offset: offset, count: count, into: base) }
            initialized = count
        }
    }
}

/// Float32 vectors as little-endian BLOBs (the database's vector format).
public enum VectorBlob {
    public static func encode(_ v: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: v.count * 4)
        out.withUnsafeMutableBytes { raw in
            for (i, x) in v.enumerated() { raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        }
        return out
    }

    /// nil when the byte count is not a multiple of 4.
    public static func decode(_ bytes: [UInt8]) -> [Float]? {
        guard bytes.count % 4 == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in LittleEndianFloats.array(raw, offset: 0, count: bytes.count / 4) }
    }
}

/// Little-endian Float64 vectors as BLOBs (profile sums, which must stay exact over many updates).
public enum DoubleVectorBlob {
    public static func encode(_ v: [Double]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: v.count * 8)
        out.withUnsafeMutableBytes { raw in
            for (i, x) in v.enumerated() { raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
        }
        return out
    }

    /// nil when the byte count is not a multiple of 8.
    public static func decode(_ bytes: [UInt8]) -> [Double]? {
        guard bytes.count % 8 == 0 else { return nil }
        var out = [Double](repeating: 0, count: bytes.count / 8)
        bytes.withUnsafeBytes { raw in
            for i in out.indices { out[i] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        }
        return out
    }
}
