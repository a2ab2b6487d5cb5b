import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore

/// The item side of a loaded factor model — item factors (new items folded in), ids and the
/// user fold-in — O(items). User factors are not held: a request reads its user's row
/// (`userRankingState`, `userActivity`), batch jobs read them all (`allUserFactors`), so a
/// forget needs no change to a loaded model and its memory does not grow with users.
struct LoadedCFModel: Sendable {
    let version: Int
    let method: CFMethod
    /// Item factors (no user factors), plus folded-in rows for items that gained events after training.
    let model: FactorModel
    let itemIDs: [String]
    /// Item row id → row of `model`.
    let itemColumn: [Int64: Int]
    let weights: InteractionWeights
    let foldIn: ALSFoldIn?
    let watermark: EventWatermark
    /// Items that got their factors by fold-in at load time.
    let foldedItems: Int
}

extension Serving {
    static let cfGramMagic = "IMCFGRM\n"

    /// The cf model's payload: its users' Gram matrix UᵀU, which folding in new items needs
    /// (so loading reads no user factors but those of the new items' users).
    static func cfPayload(_ model: FactorModel) -> [UInt8] {
        var w = BinaryWriter(magic: cfGramMagic)
        w.write(ALSFoldIn.gram(model.userFactors, factors: model.factors))
        return w.bytes
    }

    /// The active factor model's item side, or nil when none was trained. For ALS, items that
    /// first got events after training are folded in against the trained factors of their users
    /// (exact, like users), so new products are recommendable before the next `interests train`.
    func loadCFModel() throws(InterestMinerError) -> LoadedCFModel? {
        do {
            guard let stored = try store.loadFactors(), !stored.itemIDs.isEmpty else { return nil }
            let params = (try? JSONValue.parse(stored.parameters)) ?? .null
            let f = stored.factors
            let method = CFMethod(rawValue: params["method"]?.stringValue ?? "als") ?? .als
            let weights = Self.weights(from: params["weights"])
            let alpha = Float(params["alpha"]?.doubleValue ?? 10)
            let regularization = Float(params["regularization"]?.doubleValue ?? 0.05)
            let watermark = EventWatermark(review: Int64(params["watermark_review"]?.intValue ?? 0),
                                           interaction: Int64(params["watermark_interaction"]?.intValue ?? 0))
            var itemIDs = stored.externals
            var itemColumn: [Int64: Int] = [:]
            itemColumn.reserveCapacity(stored.itemIDs.count)
            for (k, id) in stored.itemIDs.enumerated() where itemColumn[id] == nil { itemColumn[id] = k }
            var itemFactors = stored.itemFactors
            var folded = 0
            if method == .als {
                // New items: their events since training, solved against their users' trained factors.
                let known = itemColumn
                let newRows = try store.interactionRows(after: watermark, items: { known[$0] == nil })
                if !newRows.isEmpty {
                    let users = try store.userFactors(Array(Set(newRows.map(\.user))).sorted(), version: stored.version)
                    let order = users.keys.sorted()
                    let compact = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, Int32($0.offset)) })
                    var byItem: [Int64: [Int32: Float]] = [:]
                    for r in newRows {
                        guard let u = compact[r.user] else { continue }
                        byItem[r.item, default: [:]][u, default: 0] += r.action.map { weights.weight(action: $0, rating: r.rating) } ?? weights.review(rating: r.rating)
                    }
                    let gram = try userGram(stored, factors: f)
                    let itemFold = ALSFoldIn(gram: gram, fixed: order.flatMap { users[$0] ?? [] }, factors: f, alpha: alpha, regularization: regularization)
                    let names = try store.itemNames(Array(byItem.keys))
                    for (item, cells) in byItem.sorted(by: { $0.key < $1.key }) {
                        guard let name = names[item] else { continue }
                        itemFactors += itemFold.solve(cells.sorted { $0.key < $1.key }.map { ($0.key, weights.cell($0.value)) })
                        itemColumn[item] = itemIDs.count
                        itemIDs.append(name)
                        folded += 1
                    }
                }
            }
            let bias = folded == 0 ? stored.biases : nil
            let model = FactorModel(factors: f, userFactors: [], itemFactors: itemFactors, itemBias: bias)
            return LoadedCFModel(
                version: stored.version, method: method, model: model, itemIDs: itemIDs, itemColumn: itemColumn, weights: weights,
                foldIn: method == .als ? ALSFoldIn(itemsOf: model, alpha: alpha, regularization: regularization) : nil,
                watermark: watermark, foldedItems: folded)
        } catch {
            throw .store(error)
        }
    }

    /// The users' Gram matrix of a stored model: its payload, or (models stored before it was)
    /// computed from every user's factors.
    private func userGram(_ stored: StoredFactors, factors f: Int) throws(StoreError) -> [Float] {
        if var reader = try? BinaryReader(stored.payload, magic: Self.cfGramMagic), let gram = try? reader.readFloats("gram"), gram.count == f * f {
            return gram
        }
        return ALSFoldIn.gram(try store.allUserFactors(version: stored.version).sorted { $0.key < $1.key }.flatMap(\.value), factors: f)
    }

    /// A user's factor vector: the trained one (`trained`, read with the user's rows), or — for
    /// users new since training or with new events — folded in from their current events (exact
    /// for ALS; for BPR the mean factors of the items they acted on positively). nil when the
    /// user has no events.
    func cfVector(_ user: String, _ cf: LoadedCFModel, trained: [Float]?, stale: Bool) throws(InterestMinerError) -> [Float]? {
        if let trained, !stale, trained.count == cf.model.factors { return trained }
        let rows: [InteractionRow]?
        do { rows = try store.interactionRows(ofUser: user) } catch { throw .store(error) }
        guard let rows else { return nil }
        return Self.foldIn(rows, cf)
    }

    /// A user's factors folded in from their rows (nil: no rows, or none the model knows).
    static func foldIn(_ rows: [InteractionRow], _ cf: LoadedCFModel) -> [Float]? {
        guard !rows.isEmpty else { return nil }
        var byItem: [Int32: Float] = [:]
        for r in rows {
            guard let col = cf.itemColumn[r.item] else { continue }
            byItem[Int32(col), default: 0] += r.action.map { cf.weights.weight(action: $0, rating: r.rating) } ?? cf.weights.review(rating: r.rating)
        }
        let entries = byItem.sorted { $0.key < $1.key }.map { ($0.key, cf.weights.cell($0.value)) }
        if let foldIn = cf.foldIn { return foldIn.solve(entries) }
        var mean = [Float](repeating: 0, count: cf.model.factors)
        var n = 0
        for (col, w) in entries where w > 0 {
            mean.add(cf.model.item(Int(col)))
            n += 1
        }
        return n > 0 ? mean.map { $0 / Float(n) } : nil
    }

    static func json(_ w: InteractionWeights) -> JSONValue {
        .object([("view", .double(Double(w.view))), ("click", .double(Double(w.click))), ("cart", .double(Double(w.cart))),
                 ("purchase", .double(Double(w.purchase))), ("by_stars", .array(w.byStars.map { .double(Double($0)) })),
                 ("unrated_review", .double(Double(w.unratedReview))), ("binary", .bool(w.binary))])
    }

    static func weights(from json: JSONValue?) -> InteractionWeights {
        var w = InteractionWeights()
        guard let json else { return w }
        if let v = json["view"]?.doubleValue { w.view = Float(v) }
        if let v = json["click"]?.doubleValue { w.click = Float(v) }
        if let v = json["cart"]?.doubleValue { w.cart = Float(v) }
        if let v = json["purchase"]?.doubleValue { w.purchase = Float(v) }
        if let v = json["by_stars"]?.arrayValue?.compactMap(\.doubleValue), v.count == 6 { w.byStars = v.map(Float.init) }
        if let v = json["unrated_review"]?.doubleValue { w.unratedReview = Float(v) }
        if let v = json["binary"]?.boolValue { w.binary = v }
        return w
    }
}
