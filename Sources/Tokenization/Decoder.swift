import Foundation
import InterestCore

/// The decoding stage: turns tokens back into text (HF decoders).
public protocol Decoder: Sendable {
    func decode(_ tokens: [String]) -> String
    var json: JSONValue { get }
}

/// WordPiece: pieces with the continuation prefix join the previous one, others start a new
/// word; `cleanup` removes the spaces BERT puts before punctuation and in English contractions.
public struct WordPieceDecoder: Decoder {
    public let prefix: String
    public let cleanup: Bool
    public init(prefix: String = "##", cleanup: Bool = true) {
        self.prefix = prefix
        self.cleanup = cleanup
    }
    public func decode(_ tokens: [String]) -> String {
        var out = ""
        for (k, t) in tokens.enumerated() {
            if k > 0 {
                if t.hasPrefix(prefix) { out += t.dropFirst(prefix.count) } else { out += " " + t }
            } else {
                out += t
            }
        }
        guard cleanup else { return out }
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                       (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            out = out.replacingAll(a, with: b)
        }
        return out
    }
    public var json: JSONValue { .object([("type", "WordPiece"), ("prefix", .string(prefix)), ("cleanup", .bool(cleanup))]) }
}

/// Byte-level: maps each character back to its byte and reads the bytes as UTF-8 (invalid
/// sequences become U+FFFD).
public struct ByteLevelDecoder: Decoder {
    public init() {}
    public func decode(_ tokens: [String]) -> String {
        var bytes: [UInt8] = []
        for t in tokens {
            for u in t.unicodeScalars {
                if let b = ByteLevel.scalarToByte[u.value] { bytes.append(b) } else { bytes.append(contentsOf: String(u).utf8) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    public var json: JSONValue { .object([("type", "ByteLevel"), ("add_prefix_space", true), ("trim_offsets", true), ("use_regex", true)]) }
}

/// BPE with an end-of-word suffix: the suffix becomes a space.
public struct BPEDecoder: Decoder {
    public let suffix: String
    public init(suffix: String = "</w>") { self.suffix = suffix }
    public func decode(_ tokens: [String]) -> String {
        var out = ""
        for (k, t) in tokens.enumerated() {
            out += t.replacingAll(suffix, with: k == tokens.count - 1 ? "" : " ")
        }
        return out
    }
    public var json: JSONValue { .object([("type", "BPEDecoder"), ("suffix", .string(suffix))]) }
}

/// Applies decoders in order (each sees the previous one's output as a single token).
public struct DecoderSequence: Decoder {
    public let decoders: [any Decoder]
    public init(_ decoders: [any Decoder]) { self.decoders = decoders }
    public func decode(_ tokens: [String]) -> String {
        guard let first = decoders.first else { return tokens.joined(separator: " ") }
        return decoders.dropFirst().reduce(first.decode(tokens)) { $1.decode([$0]) }
    }
    public var json: JSONValue { .object([("type", "Sequence"), ("decoders", .array(decoders.map(\.json)))]) }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
