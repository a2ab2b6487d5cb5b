import Foundation
import InterestCore
import InterestStore
import TextEmbedding

/// An item with a similarity score.
public struct ScoredItem: Sendable, Codable, Equatable {
    public var item: String
    public var title: String?
    public var score: Float
}

/// A term with a similarity score.
public struct ScoredTerm: Sendable, Codable, Equatable {
    public var term: String
    public var score: Float
}

/// What `interests similar` answers: the nearest items and terms to a text or term.
public struct SimilarityResult: Sendable, Codable {
    public var query: String
    /// False when the text had nothing the encoder knows (then there are no neighbours).
    public var understood: Bool
    public var items: [ScoredItem]
    public var terms: [ScoredTerm]
}

/// Rows of unit vectors in one flat array, for brute-force nearest-neighbour search.
struct VectorTable: Sendable {
    let ids: [String]
    let dimension: Int
    let values: [Float]

    init(ids: [String], vectors: [[Float]], dimension: Int) {
        self.dimension = dimension
        var kept: [String] = []
        var flat: [Float] = []
        flat.reserveCapacity(vectors.count * dimension)
        for (id, v) in zip(ids, vectors) where v.count == dimension {
            kept.append(id)
            flat.append(contentsOf: v)
        }
        self.ids = kept
        values = flat
    }

    var count: Int { ids.count }

    /// Dot product of every row with `query`.
    func scores(_ query: [Float]) -> [Float] {
        VectorMath.gemv(values, rows: count, dimension: dimension, query)
    }

    /// The k rows with the highest dot product with `query`, skipping rows `skip` says to.
    func nearest(_ query: [Float], k: Int, skip: (Int) -> Bool = { _ in false }) -> [(Int, Float)] {
        guard query.count == dimension, count > 0 else { return [] }
        var top = TopK(k)
        values.withUnsafeBufferPointer { m in
            query.withUnsafeBufferPointer { q in
                guard let mp = m.baseAddress, let qp = q.baseAddress else { return }
                for r in 0..<count where !skip(r) {
                    top.offer(Int32(r), VectorMath.dot(mp + r * dimension, qp, dimension))
                }
            }
        }
        return top.sorted().map { (Int($0.id), $0.score) }
    }
}

extension Serving {
    func requireTextModel() throws(InterestMinerError) -> LoadedTextModel {
        guard let model = try loadTextModel() else {
            throw .missing(what: "\(databasePath) has no text vectors yet", hint: "run `interests train --db \(databasePath)` first")
        }
        return model
    }

    func itemVectorTable(dimension: Int) throws(InterestMinerError) -> VectorTable {
        do {
            let rows = try store.itemVectors()
            return VectorTable(ids: rows.map(\.item), vectors: rows.map(\.vector), dimension: dimension)
        } catch {
            throw .store(error)
        }
    }

    /// Nearest items and terms to a free text (semantic search over the catalogue).
    public func similar(text: String, top: Int = 10) throws(InterestMinerError) -> SimilarityResult {
        let model = try requireTextModel()
        return try neighbours(of: model.encoder.semanticVector(text), label: text, model: model, top: top)
    }

    /// Nearest items and terms to a term (its stored vector, or its text encoded).
    public func similar(term: String, top: Int = 10) throws(InterestMinerError) -> SimilarityResult {
        let model = try requireTextModel()
        let key = term.lowercased()
        let stored: [Float]?
        do { stored = try store.terms().first { $0.term == key }?.vector } catch { throw .store(error) }
        return try neighbours(of: stored ?? model.encoder.semanticVector(term), label: term, model: model, top: top, excludeTerm: key)
    }

    /// Semantic neighbours: items compared in the semantic space (common component removed).
    private func neighbours(of vector: [Float]?, label: String, model: LoadedTextModel, top: Int, excludeTerm: String? = nil) throws(InterestMinerError) -> SimilarityResult {
        guard let vector else { return SimilarityResult(query: label, understood: false, items: [], terms: []) }
        let dimension = model.encoder.dimension
        let raw = try itemVectorTable(dimension: dimension)
        let items = VectorTable(ids: raw.ids, vectors: (0..<raw.count).map { r in
            model.encoder.semantic(Array(raw.values[(r * dimension)..<((r + 1) * dimension)])) ?? []
        }, dimension: dimension)
        let termRows: [TermRow]
        do { termRows = try store.terms() } catch { throw .store(error) }
        let terms = VectorTable(ids: termRows.map(\.term), vectors: termRows.map { $0.vector ?? [] }, dimension: dimension)
        var scoredItems: [ScoredItem] = []
        for (r, s) in items.nearest(vector, k: top) {
            let record = try itemRecord(items.ids[r])
            scoredItems.append(ScoredItem(item: items.ids[r], title: record?.title, score: s))
        }
        let scoredTerms = terms.nearest(vector, k: top) { excludeTerm != nil && terms.ids[$0] == excludeTerm }
            .map { ScoredTerm(term: terms.ids[$0.0], score: $0.1) }
        return SimilarityResult(query: label, understood: true, items: scoredItems, terms: scoredTerms)
    }
}

extension Serving {
    /// An item's stored record (its title for an answer), or nil when unknown.
    func itemRecord(_ item: String) throws(InterestMinerError) -> ItemRecord? {
        do { return try store.itemRecord(item) } catch { throw .store(error) }
    }
}
