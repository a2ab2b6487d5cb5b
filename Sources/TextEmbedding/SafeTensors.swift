import InterestCore

/// A parsed `safetensors` file (Hugging Face's tensor format): an 8-byte little-endian header
/// length N, N bytes of JSON mapping each tensor name to its `dtype`, `shape` and
/// `data_offsets` (begin, end) in the data that follows, then the little-endian tensor data.
///
/// Reads F32, F16 and BF16 tensors as `Float`; entries of other element types (e.g. BERT's I64
/// `position_ids` buffer) are listed but can only be read as what they are not by error.
public struct SafeTensors: Sendable {
    /// One tensor's entry in the header.
    public struct Entry: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        /// Byte range in the data section.
        public let range: Range<Int>
    }

    public let entries: [String: Entry]
    /// The file name used in error messages.
    public let file: String
    private let bytes: [UInt8]
    private let dataStart: Int

    /// Bytes per element of the element types this reader converts.
    static let elementSize = ["F32": 4, "F16": 2, "BF16": 2]

    /// Parses the header and checks every entry lies inside the data; the data stay as bytes
    /// until `floats` reads a tensor.
    public init(bytes: [UInt8], file: String = "model.safetensors") throws(TextEmbeddingError) {
        self.file = file
        guard bytes.count >= 8 else { throw .malformedModelFile(file: file, reason: "\(bytes.count) bytes, shorter than the 8-byte header length") }
        var n: UInt64 = 0
        for k in 0..<8 { n |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        guard n >= 2, n <= UInt64(bytes.count - 8) else {
            throw .malformedModelFile(file: file, reason: "header length \(n) does not fit the file's \(bytes.count) bytes (truncated?)")
        }
        let headerEnd = 8 + Int(n)
        let header: JSONValue
        do { header = try JSONValue.parse(Array(bytes[8..<headerEnd])) } catch {
            throw .malformedModelFile(file: file, reason: "header JSON: \(error)")
        }
        guard let fields = header.objectValue else { throw .malformedModelFile(file: file, reason: "the header is not a JSON object") }
        let dataSize = bytes.count - headerEnd
        var entries: [String: Entry] = [:]
        for (name, value) in fields where name != "__metadata__" {
            guard let dtype = value["dtype"]?.stringValue,
                  let shape = value["shape"]?.arrayValue?.map({ $0.intValue ?? -1 }),
                  let offsets = value["data_offsets"]?.arrayValue?.compactMap(\.intValue), offsets.count == 2 else {
                throw .malformedModelFile(file: file, reason: "entry \(name) lacks dtype, shape or data_offsets")
            }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
                throw .malformedModelFile(file: file, reason: "entry \(name): offsets \(offsets) outside the \(dataSize) data bytes (truncated?)")
            }
            if let size = Self.elementSize[dtype], Self.byteCount(shape, elementSize: size) != offsets[1] - offsets[0] {
                throw .malformedModelFile(file: file, reason: "entry \(name): \(offsets[1] - offsets[0]) bytes for \(dtype) shape \(shape)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        // No two tensors share bytes (the format says so; Hugging Face's reader checks it too):
        // so the tensors a model reads hold at most twice the file's bytes as floats.
        var end = 0
        for (name, entry) in entries.sorted(by: { ($0.value.range.lowerBound, $0.value.range.upperBound, $0.key) < ($1.value.range.lowerBound, $1.value.range.upperBound, $1.key) }) {
            guard entry.range.lowerBound >= end || entry.range.isEmpty else {
                throw .malformedModelFile(file: file, reason: "entry \(name): data_offsets [\(entry.range.lowerBound), \(entry.range.upperBound)] overlap another tensor's bytes")
            }
            end = max(end, entry.range.upperBound)
        }
        self.entries = entries
        self.bytes = bytes
        dataStart = headerEnd
    }

    /// The bytes of a tensor of `shape`, nil when the product overflows (a crafted header's
    /// shape can name more elements than any file holds).
    static func byteCount(_ shape: [Int], elementSize: Int) -> Int? {
        var total = elementSize
        for d in shape {
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            total = p
        }
        return total
    }

    /// The entry of tensor `name` after checking it has `shape` and an element type `floats`
    /// reads, so its element count is known to fit the file.
    public func entry(_ name: String, shape expected: [Int]) throws(TextEmbeddingError) -> Entry {
        guard let entry = entries[name] else { throw .missingTensor(name: name) }
        guard entry.shape == expected else { throw .wrongShape(tensor: name, expected: expected, found: entry.shape) }
        guard Self.elementSize[entry.dtype] != nil else {
            throw .malformedModelFile(file: file, reason: "tensor \(name) is \(entry.dtype); only F32, F16 and BF16 are read")
        }
        return entry
    }

    /// The tensor `name` as Float32 values in row-major order, after checking its shape.
    public func floats(_ name: String, shape expected: [Int]) throws(TextEmbeddingError) -> [Float] {
        let entry = try entry(name, shape: expected)
        let count = expected.reduce(1, *)
        let start = dataStart + entry.range.lowerBound
        return bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Float] in
            switch entry.dtype {
            case "F32":
                return LittleEndianFloats.array(raw, offset: start, count: count)
            case "F16":
                return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                    for i in 0..<count {
                        out[i] = Self.float(half: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * i, as: UInt16.self)))
                    }
                    initialized = count
                }
            default:  // BF16
                return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                    for i in 0..<count {
                        let b = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * i, as: UInt16.self))
                        out[i] = Float(bitPattern: UInt32(b) << 16)
                    }
                    initialized = count
                }
            }
        }
    }

    /// IEEE 754 binary16 to binary32 (exact: every half value is a float).
    static func float(half h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2^-24.
            let v = Float(mantissa) * 0x1p-24
            return sign != 0 ? -v : v
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
