import Foundation
import InterestCore
import InterestStore
import Ranking
import SequenceModel

/// The sequence model as the ranker serves it: the model and, aligned to the ranker's catalogue
/// rows, its item table E (in `RankingCatalogue.sequenceItems`; items new since training get
/// their text projection alone).
struct LoadedSequenceModel: Sendable {
    let version: Int
    let model: SequenceModel
    /// Catalogue items the model learnt an ID embedding for (the rest rank by their text alone,
    /// or not at all in an ID-only model).
    let knownItems: Int
}

extension Serving {
    /// The active generation's sequence model with its item table over `itemIDs` (catalogue
    /// order), or nil when none is stored. `itemVectors`: the catalogue's unit item vectors from
    /// text model `textVersion` (used when the model's projection was trained on that version).
    /// O(items · d · text dimension).
    func readSequenceModel(itemIDs: [Int64], itemVectors: [Float], textDimension: Int,
                           textVersion: Int?) throws(InterestMinerError) -> (LoadedSequenceModel, table: [Float])? {
        let meta: StoredModel?
        do { meta = try store.latestModel(kind: ModelKind.sequence) } catch { throw .store(error) }
        guard let meta else { return nil }
        let settings = (try? JSONDecoder().decode(SequenceSettings.self, from: Data(meta.parameters.utf8))) ?? SequenceSettings()
        let stored = try StoredSequenceModel(encoded: meta.payload, settings: settings)
        let modelRow = Dictionary(stored.itemIDs.enumerated().map { ($0.element, Int32($0.offset)) }, uniquingKeysWith: { a, _ in a })
        let rows = itemIDs.map { modelRow[$0] ?? -1 }
        let textFits = stored.model.textDimension > 0 && stored.model.textDimension == textDimension && stored.textVersion == textVersion
        let table: [Float]
        do {
            table = try stored.model.itemTable(modelRows: rows, text: textFits ? VectorMath.unitRows(itemVectors, dimension: textDimension) : nil)
        } catch {
            throw .missing(what: error.description, hint: "re-run `interests train`")
        }
        return (LoadedSequenceModel(version: meta.version, model: stored.model, knownItems: rows.count { $0 >= 0 }), table)
    }

    /// The sequence model's reading of a history (catalogue rows, oldest first) under `ctx`;
    /// `explaining` adds what `sequenceReasons` needs.
    func sequenceState(_ history: [Int], _ ctx: RankerContext, explaining: Bool = false) -> SequenceModel.State? {
        guard let s = ctx.sequence, !history.isEmpty else { return nil }
        return s.model.encode(history.map { Int32(clamping: $0) }, table: ctx.catalogue.sequenceItems, explaining: explaining)
    }

    /// The history items the sequence model moved most towards item `i` (through the last
    /// block's attention), at most `limit`, strongest first: "because of X, Y".
    func sequenceReasons(_ state: SequenceModel.State, item i: Int, _ ctx: RankerContext, limit: Int = 2) -> [String] {
        let c = ctx.catalogue
        guard c.sequenceDimension > 0, i >= 0, i < c.count, state.carried.count == state.positions.count * c.sequenceDimension else { return [] }
        let pushes = c.sequenceItems.withUnsafeBufferPointer { e in
            state.positions.indices.map { k in (row: Int(state.positions[k]), push: state.contribution(of: k, to: e.baseAddress! + i * c.sequenceDimension)) }
        }
        var named: [String] = []
        for p in pushes.sorted(by: { $0.push > $1.push }) where p.push > 0 && p.row != i && p.row < ctx.items.count {
            let name = ctx.items[p.row]
            if !named.contains(name) { named.append(name) }
            if named.count == limit { break }
        }
        return named
    }
}
