import Foundation
import InterestCore

/// A trained sequence model: its shape and its weights, immutable. Serving composes the item
/// table E once (`itemTable(text:)`), then reads a user's current history through it per request.
public struct SequenceModel: Sendable, Equatable {
    /// Shape (and the settings it was trained with).
    public let settings: SequenceSettings
    /// Items with a learned ID embedding (dense indices 0..<items).
    public let items: Int
    /// Width of the item text vectors the projection takes (0: an ID-only model).
    public let textDimension: Int
    let layout: ParameterLayout
    /// The flat parameter vector (see `ParameterLayout`).
    let parameters: [Float]

    init(settings: SequenceSettings, items: Int, textDimension: Int, parameters: [Float]) throws(SequenceModelError) {
        let layout = ParameterLayout(items: items, dimension: settings.dimension, maxLength: settings.maxLength, blocks: settings.blocks,
                                     textDimension: textDimension)
        guard parameters.count == layout.count else {
            throw .malformedModel(reason: "\(parameters.count) weights for a model that has \(layout.count)")
        }
        guard parameters.allSatisfy(\.isFinite) else { throw .malformedModel(reason: "a weight is not a finite number") }
        self.settings = settings
        self.items = items
        self.textDimension = textDimension
        self.layout = layout
        self.parameters = parameters
    }

    public var dimension: Int { settings.dimension }
    public var parameterCount: Int { layout.count }

    /// The item table E for items 0..<count of the model's own numbering (see `itemTable(modelRows:text:)`).
    public func itemTable(count: Int, text: [Float]?) throws(SequenceModelError) -> [Float] {
        try itemTable(modelRows: (0..<Int32(clamping: max(0, count))).map { $0 }, text: text)
    }

    /// The item table E of a catalogue: row k = the ID embedding of model row `modelRows[k]`
    /// (none when it is −1 or beyond the model's items: an item the model never saw) + text[k]·W_text + b
    /// when the model is text-aware and `text` is given (unit text vectors, rows × textDimension).
    /// O(rows · d · (1 + textDimension)).
    public func itemTable(modelRows: [Int32], text: [Float]?) throws(SequenceModelError) -> [Float] {
        let d = dimension, count = modelRows.count
        var table = [Float](repeating: 0, count: count * d)
        if textDimension > 0, let text {
            guard text.count == count * textDimension else {
                throw .invalidInput(reason: "\(text.count) text values for \(count) items of \(textDimension)")
            }
            text.withUnsafeBufferPointer { t in
                parameters.withUnsafeBufferPointer { p in
                    table.withUnsafeMutableBufferPointer { out in
                        gemm(false, false, count, d, textDimension, 1, t.baseAddress!, textDimension, p.baseAddress! + layout.textProjection, d, 0,
                             out.baseAddress!, d)
                        addBias(out.baseAddress!, rows: count, columns: d, bias: p.baseAddress! + layout.textBias)
                    }
                }
            }
        }
        for (k, r) in modelRows.enumerated() where r >= 0 && Int(r) < items {
            for j in 0..<d { table[k * d + j] += parameters[layout.item + Int(r) * d + j] }
        }
        return table
    }

    /// What the model reads from one history: the last position's output and, for explanations,
    /// each history position's share of it through the last block's attention.
    public struct State: Sendable {
        /// y at the last position (d): an item's score is y·E[item].
        public let vector: [Float]
        /// The history positions read (the last `maxLength` of the history), oldest first.
        public let positions: [Int32]
        /// Per position (positions.count × d; empty unless encoded `explaining`):
        /// Σ_heads a_head(last, pos)·v_pos W_o — the vector
        /// the last block's attention moved from that position into the last one (Kobayashi et al.,
        /// "Attention is Not Only a Weight", EMNLP 2020). `contribution(of:to:)` projects it on
        /// an item.
        public let carried: [Float]
        /// Last-block attention of the last position to each position, averaged over heads (empty
        /// unless encoded `explaining`).
        public let attention: [Float]

        /// How much history position `k` pushes `item` (its row of E, d floats) up.
        public func contribution(of k: Int, to item: UnsafePointer<Float>) -> Float {
            carried.withUnsafeBufferPointer { VectorMath.dot($0.baseAddress! + k * vector.count, item, vector.count) }
        }
    }

    /// Runs a history (item rows of `table`, oldest first; rows must be < table.count / d) through
    /// the model. nil for an empty history. O(N²·d + N·d²·blocks) for N = min(history, maxLength).
    /// `explaining`: also each position's carried vector and attention (`State.carried`,
    /// `State.attention`; empty otherwise), O(N·d²) more.
    public func encode(_ history: [Int32], table: [Float], explaining: Bool = false) -> State? {
        let d = dimension
        let rows = table.count / max(1, d)
        let kept = Array(history.suffix(settings.maxLength).filter { $0 >= 0 && Int($0) < rows })
        guard !kept.isEmpty else { return nil }
        let workspace = SequenceWorkspace(layout: layout, heads: settings.heads)
        let batch = SequenceBatch(count: 1, width: kept.count, tokens: kept, targets: [Int32](repeating: -1, count: kept.count))
        var random = SeededRandom(seed: 0)
        parameters.withUnsafeBufferPointer { p in
            table.withUnsafeBufferPointer { e in
                workspace.forward(batch, parameters: p.baseAddress!, items: e.baseAddress!, dropout: 0, random: &random)
            }
        }
        let width = kept.count, last = width - 1, heads = settings.heads, dh = d / heads
        let vector = Array(UnsafeBufferPointer(start: workspace.output.pointer + last * d, count: d))
        guard explaining else { return State(vector: vector, positions: kept, carried: [], attention: []) }
        let lastBlock = layout.blocks.count - 1
        let qkv = workspace.qkv[lastBlock].pointer, probs = workspace.probs[lastBlock].pointer
        var carried = [Float](repeating: 0, count: width * d)
        var attention = [Float](repeating: 0, count: width)
        // Row k: Σ_heads a_head(last, k)·v_k (each head's columns), then times W_o in one product.
        var weighted = [Float](repeating: 0, count: width * d)
        for k in 0..<width {
            for h in 0..<heads {
                let a = probs[(h * width + last) * width + k]
                attention[k] += a / Float(heads)
                for c in 0..<dh { weighted[k * d + h * dh + c] = a * qkv[k * 3 * d + 2 * d + h * dh + c] }
            }
        }
        parameters.withUnsafeBufferPointer { p in
            weighted.withUnsafeBufferPointer { w in
                carried.withUnsafeMutableBufferPointer { out in
                    gemm(false, false, width, d, d, 1, w.baseAddress!, d, p.baseAddress! + layout.blocks[lastBlock].output, d, 0, out.baseAddress!, d)
                }
            }
        }
        return State(vector: vector, positions: kept, carried: carried, attention: attention)
    }

    /// y·E for every row of `table` (items × d). O(items · d).
    public func scores(_ state: State, table: [Float]) -> [Float] {
        let d = dimension
        let rows = table.count / max(1, d)
        return VectorMath.gemv(table, rows: rows, dimension: d, state.vector)
    }
}
