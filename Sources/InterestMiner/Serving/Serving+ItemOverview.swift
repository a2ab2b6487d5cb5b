import Foundation
import InterestCore
import InterestStore

/// What the shop knows of one item: its record, the items the same users touched, the items
/// whose text is most like it, and the terms its reviews carry.
public struct ItemOverview: Sendable {
    public var record: ItemRecord
    /// The stored item neighbours (`interests train`: items touched by the same users, cosine of
    /// their user sets), best first.
    public var touchedTogether: [ScoredItem]
    /// The catalogue items with the closest text vectors (cosine), best first; empty without a
    /// fused ranker's loaded catalogue or a text model, or for an item it does not hold yet.
    public var lookAlikes: [ScoredItem]
    /// The most common terms of its reviews (`interests train`), each with the share of the
    /// item's reviews that use it, best first.
    public var reviewTerms: [ScoredTerm]
}

extension Serving {
    /// The item's overview, or nil when the catalogue has no such item. Reads the item's record,
    /// its stored neighbours and review terms (indexed reads) and the records of the items
    /// shown; look-alikes are an O(items × d) pass over the loaded ranker's item vectors.
    public func itemOverview(_ item: String, top: Int) throws(InterestMinerError) -> ItemOverview? {
        guard let record = try itemRecord(item) else { return nil }
        let neighbours: [(item: String, score: Double)]
        let terms: [(term: String, share: Double)]
        do {
            neighbours = try store.itemNeighbours([item])[item] ?? []
            terms = try store.itemTerms([item])[item] ?? []
        } catch {
            throw .store(error)
        }
        var together: [ScoredItem] = []
        for n in neighbours.prefix(max(0, top)) {
            together.append(ScoredItem(item: n.item, title: try itemRecord(n.item)?.title, score: Float(n.score)))
        }
        var alike: [ScoredItem] = []
        if let ctx = try loadRanker() {
            for (row, score) in Self.textLookAlikes(of: item, ctx, top: top) {
                let name = ctx.items[row]
                alike.append(ScoredItem(item: name, title: try itemRecord(name)?.title, score: score))
            }
        }
        return ItemOverview(record: record, touchedTogether: together, lookAlikes: alike,
                            reviewTerms: terms.prefix(max(0, top * 2)).map { ScoredTerm(term: $0.term, score: Float($0.share)) })
    }

    /// The `top` catalogue rows whose text vectors have the highest cosine with the item's,
    /// the item itself and items without a vector left out.
    static func textLookAlikes(of item: String, _ ctx: RankerContext, top: Int) -> [(Int, Float)] {
        let d = ctx.catalogue.textDimension
        let n = ctx.catalogue.count
        let vectors = ctx.catalogue.itemVectors
        guard d > 0, top > 0, let own = ctx.rowOfName[item], own < n, vectors.count == n * d else { return [] }
        let query = Array(vectors[(own * d)..<((own + 1) * d)])
        let queryNorm = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard queryNorm > 0 else { return [] }
        let dots = VectorMath.gemv(vectors, rows: n, dimension: d, query)
        var best = TopK(top)
        for r in 0..<n where r != own {
            var norm: Float = 0
            for k in (r * d)..<((r + 1) * d) { norm += vectors[k] * vectors[k] }
            guard norm > 0 else { continue }
            best.offer(Int32(r), dots[r] / (norm.squareRoot() * queryNorm))
        }
        return best.sorted().map { (Int($0.id), $0.score) }
    }
}
