import InterestCore

extension SequenceModel {
    static let magic = "SQM1"

    /// The stored form: shape, then the flat weights (little-endian float32).
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(magic: Self.magic)
        for v in [settings.maxLength, settings.blocks, settings.heads, settings.dimension, items, textDimension] { w.write(v) }
        w.write(parameters)
        return w.bytes
    }

    /// Reads `encoded()`; every shape field is checked before it sizes anything, so a damaged
    /// payload is an error, not a crash or a huge allocation. `settings` supplies the training
    /// settings shown in reports (its shape fields are replaced by the payload's).
    public init(encoded bytes: [UInt8], settings base: SequenceSettings = SequenceSettings()) throws(SequenceModelError) {
        do {
            var r = try BinaryReader(bytes, magic: Self.magic)
            var settings = base
            settings.maxLength = try r.readInt("sequence length")
            settings.blocks = try r.readInt("blocks")
            settings.heads = try r.readInt("heads")
            settings.dimension = try r.readInt("dimension")
            let items = try r.readInt("items")
            let textDimension = try r.readInt("text dimension")
            do { try settings.validate() } catch { throw SequenceModelError.malformedModel(reason: "shape: \(error)") }
            guard (0...100_000_000).contains(items), (0...65_536).contains(textDimension),
                  items.multipliedReportingOverflow(by: settings.dimension).overflow == false,
                  items * settings.dimension <= bytes.count / 4 else {
                throw SequenceModelError.malformedModel(reason: "\(items) items of \(settings.dimension) do not fit a payload of \(bytes.count) bytes")
            }
            let parameters = try r.readFloats("weights")
            guard r.isAtEnd else { throw SequenceModelError.malformedModel(reason: "bytes after the weights") }
            try self.init(settings: settings, items: items, textDimension: textDimension, parameters: parameters)
        } catch let error as SequenceModelError {
            throw error
        } catch {
            throw .malformedModel(reason: "\(error)")
        }
    }
}
