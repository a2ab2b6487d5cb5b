/// A text's vector in the shared embedding space. Texts with nothing the encoder knows (empty,
/// only unknown tokens) get the zero vector with `isEmpty` set — a defined "no information"
/// value rather than an error.
public struct TextVector: Sendable, Equatable {
    public var values: [Float]
    public var isEmpty: Bool

    public init(values: [Float], isEmpty: Bool) {
        self.values = values
        self.isEmpty = isEmpty
    }

    public static func empty(dimension: Int) -> TextVector {
        TextVector(values: [Float](repeating: 0, count: dimension), isEmpty: true)
    }
}

/// Turns text into unit vectors in one space: reviews, queries, item descriptions and interest
/// terms alike. Implemented by the trained `SIFEncoder`, and by a pretrained transformer.
public protocol TextEncoder: Sendable {
    var dimension: Int { get }
    /// Encodes texts in order; `threads` may split the work.
    func encode(_ texts: [String], threads: Int) -> [TextVector]
}

extension TextEncoder {
    public func encode(_ text: String) -> TextVector {
        encode([text], threads: 1)[0]
    }
}
