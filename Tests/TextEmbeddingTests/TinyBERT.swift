import Foundation
import InterestCore
@testable import TextEmbedding

/// The committed tiny-BERT fixture (Benchmarks/minilm/make_fixture.py): model files and
/// sentence-transformers' expectations.
enum TinyBERT {
    struct Expected: Decodable {
        var texts: [String]
        var ids: [[Int32]]
        var vectors: [[Float]]
    }

    static func directory() throws -> URL {
        guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { throw FixtureMissing() }
        return dir.appendingPathComponent("tiny-bert")
    }

    struct FixtureMissing: Error {}

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory().appendingPathComponent(name)))
    }

    static func files(weights: String = "model.safetensors") throws -> SentenceTransformerFiles {
        SentenceTransformerFiles(config: try bytes("config.json"), weights: try bytes(weights), tokenizer: try bytes("tokenizer.json"),
                                 pooling: try bytes("1_Pooling/config.json"), sentenceConfig: try bytes("sentence_bert_config.json"),
                                 modules: try bytes("modules.json"))
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(bytes("expected.json")))
    }

    /// config.json text for a BERT of these sizes (the fixture tokenizer's 157 tokens fit).
    static func config(hidden: Int, layers: Int, heads: Int, intermediate: Int, positions: Int = 64, vocabulary: Int = 157,
                       extra: String = "") -> [UInt8] {
        Array("""
            {"model_type": "bert", "hidden_act": "gelu", "hidden_size": \(hidden), "num_hidden_layers": \(layers),
             "num_attention_heads": \(heads), "intermediate_size": \(intermediate), "max_position_embeddings": \(positions),
             "type_vocab_size": 2, "vocab_size": \(vocabulary), "layer_norm_eps": 1e-12\(extra)}
            """.utf8)
    }
}

/// A safetensors file from named float tensors (F32, or F16 for values it represents exactly).
func safetensorsBytes(_ tensors: [(name: String, shape: [Int], values: [Float])], half: Bool = false) -> [UInt8] {
    var header = "{"
    var data: [UInt8] = []
    for (k, t) in tensors.enumerated() {
        let start = data.count
        for v in t.values {
            if half {
                let h = Float16(v).bitPattern
                data += [UInt8(h & 0xFF), UInt8(h >> 8)]
            } else {
                let b = v.bitPattern
                data += [UInt8(b & 0xFF), UInt8((b >> 8) & 0xFF), UInt8((b >> 16) & 0xFF), UInt8(b >> 24)]
            }
        }
        header += (k > 0 ? "," : "") + "\"\(t.name)\":{\"dtype\":\"\(half ? "F16" : "F32")\",\"shape\":\(t.shape),\"data_offsets\":[\(start),\(data.count)]}"
    }
    header += "}"
    while header.utf8.count % 8 != 0 { header += " " }
    let n = UInt64(header.utf8.count)
    return (0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xFF) } + Array(header.utf8) + data
}

/// Seeded random BERT weights in Hugging Face's names, and a plain double-precision forward
/// pass over them: the reference the optimised kernels are checked against for sizes the
/// fixture does not have (head sizes that are not multiples of 16, odd feed-forward widths).
struct ReferenceBERT {
    let config: BERTConfiguration
    var tensors: [String: (shape: [Int], values: [Float])] = [:]

    init(config: BERTConfiguration, seed: UInt64) {
        self.config = config
        var rng = SeededRandom(seed: seed)
        let (h, i) = (config.hiddenSize, config.intermediateSize)
        func add(_ name: String, _ shape: [Int], scale: Float, offset: Float = 0) {
            tensors[name] = (shape, (0..<shape.reduce(1, *)).map { _ in offset + scale * Float(rng.nextGaussian()) })
        }
        add("embeddings.word_embeddings.weight", [config.vocabularySize, h], scale: 0.5)
        add("embeddings.position_embeddings.weight", [config.maxPositions, h], scale: 0.5)
        add("embeddings.token_type_embeddings.weight", [config.typeVocabularySize, h], scale: 0.5)
        add("embeddings.LayerNorm.weight", [h], scale: 0.2, offset: 1)
        add("embeddings.LayerNorm.bias", [h], scale: 0.1)
        for l in 0..<config.layers {
            let p = "encoder.layer.\(l)."
            for m in ["query", "key", "value"] {
                add(p + "attention.self.\(m).weight", [h, h], scale: 0.3)
                add(p + "attention.self.\(m).bias", [h], scale: 0.1)
            }
            add(p + "attention.output.dense.weight", [h, h], scale: 0.3)
            add(p + "attention.output.dense.bias", [h], scale: 0.1)
            add(p + "attention.output.LayerNorm.weight", [h], scale: 0.2, offset: 1)
            add(p + "attention.output.LayerNorm.bias", [h], scale: 0.1)
            add(p + "intermediate.dense.weight", [i, h], scale: 0.3)
            add(p + "intermediate.dense.bias", [i], scale: 0.1)
            add(p + "output.dense.weight", [h, i], scale: 0.3)
            add(p + "output.dense.bias", [h], scale: 0.1)
            add(p + "output.LayerNorm.weight", [h], scale: 0.2, offset: 1)
            add(p + "output.LayerNorm.bias", [h], scale: 0.1)
        }
    }

    func safetensors() -> [UInt8] {
        safetensorsBytes(tensors.keys.sorted().compactMap { name in tensors[name].map { (name, $0.shape, $0.values) } })
    }

    private func t(_ name: String) -> [Double] { (tensors[name]?.values ?? []).map(Double.init) }

    /// The mean-pooled unit vector of one id sequence.
    func forward(_ ids: [Int32]) -> [Float] {
        let (h, n, heads) = (config.hiddenSize, ids.count, config.heads)
        let dh = h / heads
        func layerNorm(_ x: [Double], _ gamma: [Double], _ beta: [Double]) -> [Double] {
            let mean = x.reduce(0, +) / Double(x.count)
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)
            let inv = 1 / (variance + Double(config.layerNormEpsilon)).squareRoot()
            return x.indices.map { (x[$0] - mean) * inv * gamma[$0] + beta[$0] }
        }
        func linear(_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
            let inputs = x.count
            return b.indices.map { o in b[o] + (0..<inputs).reduce(0) { $0 + w[o * inputs + $1] * x[$1] } }
        }
        let (word, position, type) = (t("embeddings.word_embeddings.weight"), t("embeddings.position_embeddings.weight"),
                                      t("embeddings.token_type_embeddings.weight"))
        var x: [[Double]] = ids.enumerated().map { p, id in
            layerNorm((0..<h).map { word[Int(id) * h + $0] + position[p * h + $0] + type[$0] },
                      t("embeddings.LayerNorm.weight"), t("embeddings.LayerNorm.bias"))
        }
        for l in 0..<config.layers {
            let p = "encoder.layer.\(l)."
            let q = x.map { linear($0, t(p + "attention.self.query.weight"), t(p + "attention.self.query.bias")) }
            let k = x.map { linear($0, t(p + "attention.self.key.weight"), t(p + "attention.self.key.bias")) }
            let v = x.map { linear($0, t(p + "attention.self.value.weight"), t(p + "attention.self.value.bias")) }
            var context = [[Double]](repeating: [Double](repeating: 0, count: h), count: n)
            for head in 0..<heads {
                let cols = (head * dh)..<((head + 1) * dh)
                for a in 0..<n {
                    let scores = (0..<n).map { b in cols.reduce(0) { $0 + q[a][$1] * k[b][$1] } / Double(dh).squareRoot() }
                    let m = scores.max() ?? 0
                    let e = scores.map { Foundation.exp($0 - m) }
                    let sum = e.reduce(0, +)
                    for c in cols { context[a][c] = (0..<n).reduce(0) { $0 + e[$1] / sum * v[$1][c] } }
                }
            }
            x = x.indices.map { a in
                let o = linear(context[a], t(p + "attention.output.dense.weight"), t(p + "attention.output.dense.bias"))
                return layerNorm(o.indices.map { o[$0] + x[a][$0] }, t(p + "attention.output.LayerNorm.weight"), t(p + "attention.output.LayerNorm.bias"))
            }
            x = x.map { row in
                let inner = linear(row, t(p + "intermediate.dense.weight"), t(p + "intermediate.dense.bias"))
                    .map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }
                let o = linear(inner, t(p + "output.dense.weight"), t(p + "output.dense.bias"))
                return layerNorm(o.indices.map { o[$0] + row[$0] }, t(p + "output.LayerNorm.weight"), t(p + "output.LayerNorm.bias"))
            }
        }
        let mean = (0..<h).map { j in x.reduce(0) { $0 + $1[j] } / Double(n) }
        let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return mean.map { Float($0 / norm) }
    }
}
