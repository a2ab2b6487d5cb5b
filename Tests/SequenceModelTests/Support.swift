import Foundation
import InterestCore
import Testing
@testable import SequenceModel

/// The tiny model the PyTorch peer wrote (Benchmarks/sequence/sasrec_torch.py fixture): its
/// weights in this module's layout, its inputs and its float64 answers.
struct TorchFixture {
    let settings: SequenceSettings
    let layout: ParameterLayout
    let text: [Float]
    let parameters: [Float]
    let batch: SequenceBatch
    let output: [Double]
    let loss: Double
    let gradients: [Double]
    let lastScores: [Double]

    static func load() throws -> TorchFixture {
        let url = try #require(Bundle.module.url(forResource: "sasrec_tiny", withExtension: "json", subdirectory: "Fixtures"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let config = try #require(json["config"] as? [String: Any])
        func int(_ k: String) throws -> Int { try #require(config[k] as? Int) }
        var settings = SequenceSettings()
        settings.dimension = try int("dimension")
        settings.heads = try int("heads")
        settings.blocks = try int("blocks")
        settings.maxLength = try int("maxLength")
        let items = try int("items"), m = try int("textDimension"), d = settings.dimension
        let layout = ParameterLayout(items: items, dimension: d, maxLength: settings.maxLength, blocks: settings.blocks, textDimension: m)
        func doubles(_ any: Any?) throws -> [Double] { try #require(any as? [Double]) }
        let named = try #require(json["parameters"] as? [String: Any])
        let namedGradients = try #require(json["gradients"] as? [String: Any])
        func flatten(_ source: [String: Any]) throws -> [Double] {
            var out = [Double](repeating: .nan, count: layout.count)
            func put(_ name: String, _ at: Int) throws {
                let v = try doubles(source[name])
                for (k, x) in v.enumerated() { out[at + k] = x }
            }
            try put("item", layout.item)
            try put("textProjection", layout.textProjection)
            try put("position", layout.position)
            for (b, w) in layout.blocks.enumerated() {
                let p = "blocks.\(b)."
                try put(p + "ln1.gamma", w.ln1Gamma); try put(p + "ln1.beta", w.ln1Beta)
                for (part, name) in ["q", "k", "v"].enumerated() {
                    let weight = try doubles(source[p + "w" + name]), bias = try doubles(source[p + "b" + name])
                    for r in 0..<d { for c in 0..<d { out[w.qkv + r * 3 * d + part * d + c] = weight[r * d + c] } }
                    for c in 0..<d { out[w.qkvBias + part * d + c] = bias[c] }
                }
                try put(p + "wo", w.output); try put(p + "bo", w.outputBias)
                try put(p + "ln2.gamma", w.ln2Gamma); try put(p + "ln2.beta", w.ln2Beta)
                try put(p + "w1", w.ffn1); try put(p + "b1", w.ffn1Bias)
                try put(p + "w2", w.ffn2); try put(p + "b2", w.ffn2Bias)
            }
            try put("lnf.gamma", layout.finalGamma)
            try put("lnf.beta", layout.finalBeta)
            // The peer's projection has no bias: this model with b = 0 (its gradient is not compared).
            for k in layout.textBias..<(layout.textBias + (layout.textDimension > 0 ? d : 0)) { out[k] = 0 }
            return out
        }
        let parameters = try flatten(named).map(Float.init)
        let inputs = try #require(json["inputs"] as? [[Int]]), targets = try #require(json["targets"] as? [[Int]])
        let width = inputs[0].count
        let batch = SequenceBatch(count: inputs.count, width: width, tokens: inputs.flatMap { $0.map(Int32.init) },
                                  targets: targets.flatMap { $0.map(Int32.init) })
        return TorchFixture(settings: settings, layout: layout, text: try doubles(json["text"]).map(Float.init), parameters: parameters,
                            batch: batch, output: try doubles(json["output"]), loss: try #require(json["loss"] as? Double),
                            gradients: try flatten(namedGradients), lastScores: try doubles(json["lastScores"]))
    }
}

/// The item table E of the model with these weights (through `SequenceModel`, as serving builds it).
func itemTable(layout: ParameterLayout, heads: Int, parameters: [Float], text: [Float]?) throws -> [Float] {
    var settings = SequenceSettings()
    settings.dimension = layout.dimension
    settings.heads = heads
    settings.blocks = layout.blocks.count
    settings.maxLength = layout.maxLength
    let model = try SequenceModel(settings: settings, items: layout.items, textDimension: layout.textDimension, parameters: parameters)
    return try model.itemTable(count: layout.items, text: text)
}

/// Loss and gradient of one batch (no dropout) for the given weights: the training step's own
/// passes, without the optimiser.
func lossAndGradient(layout: ParameterLayout, heads: Int, parameters: [Float], text: [Float]?, batch: SequenceBatch,
                     negatives: [Int32]? = nil) throws -> (loss: Double, gradient: [Float]) {
    let table = try itemTable(layout: layout, heads: heads, parameters: parameters, text: text)
    var gradient = [Float](repeating: 0, count: layout.count)
    let workspace = SequenceWorkspace(layout: layout, heads: heads)
    var random = SeededRandom(seed: 1)
    let sampled = negatives.map { n in
        SampledNegatives(indices: n, rows: n.flatMap { i in table[(Int(i) * layout.dimension)..<((Int(i) + 1) * layout.dimension)] })
    }
    var loss = 0.0
    parameters.withUnsafeBufferPointer { p in
        table.withUnsafeBufferPointer { e in
            gradient.withUnsafeMutableBufferPointer { g in
                workspace.forward(batch, parameters: p.baseAddress!, items: e.baseAddress!, dropout: 0, random: &random)
                loss = workspace.outputLoss(items: e.baseAddress!, itemCount: layout.items, negatives: sampled,
                                            normaliser: Float(batch.targetCount), gradient: g.baseAddress!)
                workspace.backward(parameters: p.baseAddress!, gradient: g.baseAddress!)
                if let text { layout.addTextProjectionGradient(text: text, gradient: g.baseAddress!) }
            }
        }
    }
    return (loss, gradient)
}

/// The forward output y (rows × d) of a batch.
func forwardOutput(layout: ParameterLayout, heads: Int, parameters: [Float], text: [Float]?, batch: SequenceBatch) throws -> [Float] {
    let table = try itemTable(layout: layout, heads: heads, parameters: parameters, text: text)
    let workspace = SequenceWorkspace(layout: layout, heads: heads)
    var random = SeededRandom(seed: 1)
    parameters.withUnsafeBufferPointer { p in
        table.withUnsafeBufferPointer { e in
            workspace.forward(batch, parameters: p.baseAddress!, items: e.baseAddress!, dropout: 0, random: &random)
        }
    }
    return Array(UnsafeBufferPointer(start: workspace.output.pointer, count: batch.rows * layout.dimension))
}
