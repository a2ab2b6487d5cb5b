import Foundation
import InterestCore
import InterestMiner

/// The item page: its record, the items the same users touched, the items whose text is most
/// like it, the terms its reviews carry (a chart of the share of reviews using each), and who
/// the service recommended it to most since it started.
enum ItemPage {
    static func render(_ o: ItemOverview, audience: [RecommendedTo.Counter]) -> HTML {
        let r = o.record
        var facts: [HTML] = []
        if let title = r.title { facts.append("<tr><th>title</th><td class=\"text\">\(title)</td></tr>") }
        if let category = r.category { facts.append("<tr><th>category</th><td>\(category)</td></tr>") }
        if let text = r.text { facts.append("<tr><th>text</th><td class=\"text\">\(text)</td></tr>") }
        let record: HTML = facts.isEmpty
            ? "<p class=\"note\">No item record: the item is known only from events (no title, text or category was ingested).</p>"
            : "<table>\(facts)</table>"
        var terms: HTML = "<p class=\"note\">No review terms: the item has no reviews with terms in the vocabulary, or no text model is trained.</p>"
        if !o.reviewTerms.isEmpty {
            let bars = o.reviewTerms.map { SVGChart.Bar(label: $0.term, value: Double($0.score) * 100) }
            terms = SVGChart.bars(bars, title: "Terms of its reviews", unit: "% of the item's reviews using the term", decimals: 0)
        }
        let content: HTML = """
            <h1>Item <code>\(r.item)</code></h1>
            <section id="record"><h2>Record</h2>\(record)</section>
            <section id="terms"><h2>What its reviews say</h2>\(terms)</section>
            <div class="grid2">
            <section id="neighbours"><h2>Touched together</h2>
            <p class="muted">Items the same users touched (cosine of their user sets, from the last training run).</p>
            \(list(o.touchedTogether, empty: "No neighbours stored: no other user touched it with another item, or training has not run."))</section>
            <section id="lookalikes"><h2>Look-alikes by text</h2>
            <p class="muted">Catalogue items whose text vectors are closest (cosine).</p>
            \(list(o.lookAlikes, empty: "None: no fused ranker or text model is loaded, or the item joined after the last load."))</section>
            </div>
            \(Self.audience(audience))
            """
        return ConsoleLayout.page(title: "Item \(r.item)", content: content, itemQuery: r.item)
    }

    /// Who the item was recommended to most (`RecommendedTo`), with each count's bound.
    static func audience(_ counters: [RecommendedTo.Counter]) -> HTML {
        let body: HTML
        if counters.isEmpty {
            body = "<p class=\"note\">Not recommended to anyone since the service started (recommendations are counted as <code>GET /v1/users/{id}/recommendations</code> answers them).</p>"
        } else {
            let rows = counters.enumerated().map { k, c -> HTML in
                let bound: HTML = c.error > 0 ? " (at least \(Format.count(c.count - c.error)))" : ""
                return "<tr><td class=\"num\">\(k + 1)</td><td><a href=\"\(ConsoleLink.user(c.user))\">\(c.user)</a></td><td class=\"num\">\(Format.count(c.count))\(bound)</td></tr>"
            }
            body = "<table><thead><tr><th class=\"num\">#</th><th>user</th><th class=\"num\">times</th></tr></thead><tbody>\(rows)</tbody></table>"
        }
        return """
            <section id="audience"><h2>Recommended to most</h2>
            <p class="muted">Users this service listed the item for most often since it started (each recommendation answer counts once). \
            At most \(RecommendedTo.capacity) users are tracked per item; where a count may hold other users' showings, its lower bound is given.</p>
            \(body)</section>
            """
    }

    static func list(_ items: [ScoredItem], empty: String) -> HTML {
        guard !items.isEmpty else { return "<p class=\"note\">\(empty)</p>" }
        let rows = items.enumerated().map { k, s -> HTML in
            let title: HTML = s.title.map { "<div class=\"muted\">\($0)</div>" } ?? ""
            return "<tr><td class=\"num\">\(k + 1)</td><td><a href=\"\(ConsoleLink.item(s.item))\">\(s.item)</a>\(title)</td><td class=\"num\">\(Double(s.score), decimals: 3)</td></tr>"
        }
        return "<table><thead><tr><th class=\"num\">#</th><th>item</th><th class=\"num\">cosine</th></tr></thead><tbody>\(rows)</tbody></table>"
    }
}

/// An error as a page: the status, the API's error code and its sentence.
enum ErrorPage {
    static func render(status: Int, code: String, detail: String) -> HTML {
        let content: HTML = """
            <section class="error" id="error"><h1>\(status): <code>\(code)</code></h1>
            <p>\(detail)</p>
            <p><a href="\(ConsoleLink.shop)">Back to the shop page</a></p></section>
            """
        return ConsoleLayout.page(title: "Error \(status)", content: content)
    }
}
