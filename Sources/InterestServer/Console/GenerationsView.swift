import Foundation
import InterestCore
import InterestMiner

/// The model generations: one row each (state, when started and activated, how long, what it
/// rebuilt) and, for each that stored its training report, the settings each stage ran with
/// and the validation figures it measured; a chart of the newest ranker's held-out NDCG@10.
enum GenerationsView {
    static func render(_ generations: [GenerationInfo]) -> HTML {
        guard !generations.isEmpty else {
            return "<section id=\"generations\"><h2>Model generations</h2><p class=\"note\">None yet: run <code>interests train</code> (or POST /v1/train).</p></section>"
        }
        let decoder = JSONDecoder()
        let reports = generations.map { g in g.report.flatMap { try? decoder.decode(TrainingReport.self, from: Data($0.utf8)) } }
        let rows = zip(generations, reports).map { g, report -> HTML in
            let duration = g.activatedAt.map { Format.duration(Double($0 - g.startedAt)) } ?? "–"
            return """
                <tr><td class="num">\(g.id)</td><td>\(g.state)</td><td>\(Format.time(g.startedAt))</td>\
                <td>\(g.activatedAt.map(Format.time) ?? "–")</td><td class="num">\(duration)</td>\
                <td>\(g.parts.joined(separator: ", "))</td><td>\(report.map(settings) ?? "<span class=\"muted\">no report</span>")</td>\
                <td>\(report.map(validation) ?? "–")</td></tr>
                """
        }
        var chart: HTML = ""
        if let newest = zip(generations, reports).first(where: { $0.1?.ranker != nil }), let ranker = newest.1?.ranker, !ranker.heldOutNDCG.isEmpty {
            let g = newest.0
            let ordered = ranker.heldOutNDCG.sorted { a, b in (a.key == "fused" ? 0 : 1, a.key) < (b.key == "fused" ? 0 : 1, b.key) }
            let bars = ordered.enumerated().map { k, e in SVGChart.Bar(label: e.key == "fused" ? "fused (all features)" : e.key + " alone", value: e.value, colour: k) }
            chart = """
                \(SVGChart.bars(bars, title: "Generation \(g.id): held-out NDCG@10 of the ranker", unit: "NDCG@10 on \(Format.count(ranker.heldOutUsers)) held-out validation users", decimals: 3))
                """
        }
        return """
            <section id="generations"><h2>Model generations</h2>
            <table><thead><tr><th class="num">id</th><th>state</th><th>started</th><th>activated</th><th class="num">took</th><th>rebuilt</th>\
            <th>settings</th><th>validation</th></tr></thead><tbody>\(rows)</tbody></table>
            \(chart)
            </section>
            """
    }

    static func settings(_ r: TrainingReport) -> HTML {
        var parts: [HTML] = []
        if let t = r.tokenizer { parts.append("tokenizer \(t.recipe), \(Format.count(t.vocabularySize)) tokens (\(Format.duration(t.seconds)))") }
        if let e = r.embedding {
            parts.append("text \(e.encoder), \(e.dimension) dimensions, \(e.epochs) epochs (\(Format.duration(e.seconds)))")
        }
        if let v = r.vectors { parts.append("vectors: \(Format.count(v.items)) items, \(Format.count(v.terms)) terms, \(Format.count(v.profiles)) profiles (\(Format.duration(v.seconds)))") }
        if let c = r.cf {
            let alpha: HTML = c.alpha.map { ", α \($0, decimals: 1)" } ?? ""
            parts.append("CF \(c.method), \(c.iterations) iterations\(alpha), \(Format.count(c.users)) users × \(Format.count(c.items)) items (\(Format.duration(c.seconds)))")
        }
        if let s = r.sequence {
            parts.append("sequence \(s.loss)\(s.textAware ? ", text-aware" : ""), \(s.epochs) epochs, stopped by \(s.stoppedBy) (\(Format.duration(s.seconds)))")
        }
        if let n = r.neighbours { parts.append("neighbours: \(Format.count(n.pairs)) pairs (\(Format.duration(n.seconds)))") }
        if let k = r.ranker { parts.append("ranker over \(k.features.joined(separator: ", ")) (\(Format.duration(k.seconds)))") }
        if let skipped = r.textSkipped { parts.append("text skipped: \(skipped)") }
        if let skipped = r.sequenceSkipped { parts.append("sequence skipped: \(skipped)") }
        return HTML(joining: parts, separator: "<br>")
    }

    static func validation(_ r: TrainingReport) -> HTML {
        var parts: [HTML] = []
        if let k = r.ranker, let fused = k.heldOutNDCG["fused"] {
            parts.append("ranker NDCG@10 \(fused, decimals: 3) on \(Format.count(k.heldOutUsers)) held-out users")
        }
        if let s = r.sequence, let ndcg = s.validationNDCG {
            parts.append("sequence NDCG@10 \(ndcg, decimals: 3) (best epoch \(s.bestEpoch), \(Format.count(s.validationUsers)) users)")
        }
        if let tuning = r.cf?.alphaTuning, let k = tuning.grid.firstIndex(of: tuning.chosen), k < tuning.ndcg.count {
            parts.append("CF α \(Double(tuning.chosen), decimals: 1) chosen: NDCG@10 \(tuning.ndcg[k], decimals: 3) on \(Format.count(tuning.validationUsers)) users")
        }
        if let next = r.nextTerms, let best = next.trials.first(where: { $0.settings == next.chosen }) {
            parts.append("next terms NDCG@10 \(best.ndcg, decimals: 3) (\(Format.count(next.validationUsers)) users)")
        }
        return parts.isEmpty ? "–" : HTML(joining: parts, separator: "<br>")
    }
}
