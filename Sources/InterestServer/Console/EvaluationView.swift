import Foundation
import InterestCore
import InterestMiner

/// The last `interests eval` report the database keeps: the split, the methods' figures side by
/// side (the columns of `report.md`) and charts of NDCG@k overall and for the cold slice.
enum EvaluationView {
    static func render(_ last: (time: Int64, report: EvaluationReport)?, onPostgres: Bool) -> HTML {
        guard let (time, r) = last else {
            let why: HTML = onPostgres
                ? "None: <code>interests eval</code> runs on an SQLite file (<code>--db FILE</code>); its report is kept in that file."
                : "None yet: run <code>interests eval --db FILE</code>; its report is kept in the database and shown here."
            return "<section id=\"evaluation\"><h2>Last evaluation</h2><p class=\"note\">\(why)</p></section>"
        }
        let k = r.k
        let rows = r.methods.map { m -> HTML in
            let cold: HTML = m.cold.users > 0 ? "\(m.cold.ndcg, decimals: 4)" : "–"
            return """
                <tr><td>\(m.method)</td><td class="num">\(m.all.recall, decimals: 4)</td><td class="num">\(m.all.ndcg, decimals: 4)</td>\
                <td class="num">\(m.all.mrr, decimals: 4)</td><td class="num">\(m.all.auc, decimals: 4)</td><td class="num">\(m.coverage, decimals: 4)</td>\
                <td class="num">\(cold)</td><td class="num">\(Format.duration(m.seconds))</td></tr>
                """
        }
        let items = r.skipped.sorted { $0.key < $1.key }.map { "<li><code>\($0.key)</code> left out: \($0.value)</li>" as HTML }
        let skipped: HTML = items.isEmpty ? "" : "<ul>\(HTML(joining: items, separator: ""))</ul>"
        let overall = r.methods.enumerated().map { i, m in SVGChart.Bar(label: m.method, value: m.all.ndcg, colour: i) }
        let cold = r.methods.enumerated().filter { $0.element.cold.users > 0 }.map { i, m in SVGChart.Bar(label: m.method, value: m.cold.ndcg, colour: i) }
        let coldUnit = "NDCG@\(k) over \(Format.count(r.coldUsers)) cold test users (≤ 4 positive training events)"
        return """
            <section id="evaluation"><h2>Last evaluation</h2>
            <p class="muted">Made \(Format.time(time)) on <code>\(r.split)</code>: \(Format.count(r.testUsers)) test users \
            (\(Format.count(r.coldUsers)) cold), \(Format.count(r.catalogue)) items; leave-last-out, full ranking, seen items excluded.</p>
            <table><thead><tr><th>method</th><th class="num">Recall@\(k)</th><th class="num">NDCG@\(k)</th><th class="num">MRR@\(k)</th>\
            <th class="num">AUC</th><th class="num">coverage@\(k)</th><th class="num">cold NDCG@\(k)</th><th class="num">took</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(skipped)
            <div class="grid2">
            <div>\(SVGChart.bars(overall, title: "NDCG@\(k) by method", unit: "NDCG@\(k) over \(Format.count(r.testUsers)) test users", decimals: 3))</div>
            <div>\(cold.isEmpty ? "" : SVGChart.bars(cold, title: "Cold users: NDCG@\(k) by method", unit: coldUnit, decimals: 3))</div>
            </div>
            </section>
            """
    }
}
