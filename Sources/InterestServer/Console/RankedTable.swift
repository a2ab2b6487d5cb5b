import Foundation
import InterestMiner

/// A ranked list with each item's explanation: its score, the signals it is fused from
/// (standardised text and CF scores, attention over the user's recent items by text and by CF,
/// the sequence model, popularity, query relevance), the user's interest terms it matches, the
/// recent item it is most like, and the history items the sequence model drew on ("because of").
enum RankedTable {
    static func render(_ result: RankResult, caption: String) -> HTML {
        guard !result.items.isEmpty else { return "<p class=\"note\">No items.</p>" }
        let hasSequence = result.items.contains { $0.sequence != nil }
        let hasQuery = result.items.contains { $0.query != nil }
        let rows = result.items.enumerated().map { k, r -> HTML in
            let title: HTML = r.title.map { "<div class=\"muted\">\($0)</div>" } ?? ""
            let sequence: HTML = hasSequence ? "<td class=\"num\">\(part(r.sequence))</td>" : ""
            let query: HTML = hasQuery ? "<td class=\"num\">\(part(r.query))</td>" : ""
            let terms = HTML(joining: (r.terms ?? []).map { "<span class=\"tag\">\($0)</span>" })
            var why: [HTML] = []
            if !(r.terms ?? []).isEmpty { why.append("matches \(terms)") }
            if let like = r.like { why.append("like <a href=\"\(ConsoleLink.item(like))\">\(like)</a>") }
            if let because = r.becauseOf, !because.isEmpty {
                why.append("because of \(HTML(joining: because.map { "<a href=\"\(ConsoleLink.item($0))\">\($0)</a>" }, separator: ", "))")
            }
            return """
                <tr><td class="num">\(k + 1)</td><td><a href="\(ConsoleLink.item(r.item))">\(r.item)</a>\(title)</td>\
                <td class="num">\(r.score, decimals: 2)</td><td class="num">\(r.text, decimals: 2)</td><td class="num">\(r.cf, decimals: 2)</td>\
                <td class="num">\(r.attention, decimals: 2)</td><td class="num">\(r.cfAttention, decimals: 2)</td>\(sequence)\
                <td class="num">\(r.popularity, decimals: 2)</td>\(query)<td>\(HTML(joining: why, separator: "; "))</td></tr>
                """
        }
        let sequenceHead: HTML = hasSequence ? "<th class=\"num\" title=\"sequence model (self-attention over the history), standardised\">sequence</th>" : ""
        let queryHead: HTML = hasQuery ? "<th class=\"num\" title=\"query relevance, standardised\">query</th>" : ""
        let note: HTML = result.note.map { "<p class=\"note\">\($0)</p>" } ?? ""
        return """
            <p class="muted">\(caption). Parts are standardised scores (z); attention is −ln(1 − a) over the user's recent items.</p>
            <table class="ranked"><thead><tr><th class="num">#</th><th>item</th><th class="num">score</th>\
            <th class="num" title="text: item vector against the user's interest profile">text</th>\
            <th class="num" title="collaborative filtering: user and item factors">CF</th>\
            <th class="num" title="target attention over recent items, by text">attn text</th>\
            <th class="num" title="target attention over recent items, by CF">attn CF</th>\(sequenceHead)\
            <th class="num">popularity</th>\(queryHead)<th>why</th></tr></thead>
            <tbody>\(rows)</tbody></table>\(note)
            """
    }

    private static func part(_ x: Double?) -> String { x.map { Format.fixed($0, 2) } ?? "–" }
}
