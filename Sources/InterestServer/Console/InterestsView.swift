import Foundation
import InterestMiner

/// A user's interests: one table row per interest (its share of the decayed weight now, its
/// events, its best terms), a bar chart of the terms' scores coloured by interest, and a line
/// chart of each interest's decayed weight week by week.
enum InterestsView {
    static func render(_ profile: UserInterestProfile?, note: String?) -> HTML {
        guard let profile else {
            return "<section id=\"interests\"><h2>Interests</h2><p class=\"note\">\(note ?? "No interests.")</p></section>"
        }
        let answer = profile.terms
        let rows = answer.interests.map { i -> HTML in
            let terms = HTML(joining: i.terms.map { "<span class=\"tag\">\($0)</span>" })
            return """
                <tr><td><span class="tag" style="background:\(SVGChart.colour(i.cluster))">&#160;</span> \(i.cluster + 1)</td>\
                <td class="num">\(i.share * 100, decimals: 1) %</td><td class="num">\(Format.count(i.events))</td><td>\(terms)</td></tr>
                """
        }
        let table: HTML = answer.interests.isEmpty ? "" : """
            <table><thead><tr><th>interest</th><th class="num">share now</th><th class="num">events</th><th>its terms</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        let bars = answer.terms.map { SVGChart.Bar(label: $0.term, value: $0.score, colour: $0.cluster) }
        let termChart: HTML = bars.isEmpty ? "" : SVGChart.bars(bars, title: "Interest terms (colour: interest)", unit: "term score", decimals: 2)
        var timelineChart: HTML = ""
        if let t = profile.timeline, !t.weights.isEmpty {
            let series = t.weights.enumerated().map { j, values -> SVGChart.Series in
                let terms = j < answer.interests.count ? answer.interests[j].terms.prefix(3).joined(separator: ", ") : ""
                return SVGChart.Series(name: "interest \(j + 1)" + (terms.isEmpty ? "" : ": " + terms), values: values)
            }
            timelineChart = """
                \(SVGChart.lines(series, times: t.times, title: "Each interest's weight, week by week", unit: "decayed event weight"))
                <p class="muted">The profile as it stood each week: every event's weight (kind, rating, action) halved every \
                \(t.halfLifeDays, decimals: 0) days since it happened. \(Format.count(t.times.count)) weekly samples up to the user's newest event.</p>
                """
        }
        let noteHTML: HTML = answer.note.map { "<p class=\"note\">\($0)</p>" } ?? ""
        return """
            <section id="interests"><h2>Interests</h2>
            <p class="muted">\(Format.count(answer.events)) events carried weight, in \(Format.count(answer.interests.count)) interests.</p>
            \(table)\(noteHTML)
            <div class="grid2"><div>\(termChart)</div><div>\(timelineChart)</div></div>
            </section>
            """
    }
}
