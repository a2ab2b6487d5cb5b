import Foundation

/// Charts drawn on the server as inline SVG (no chart library, no script): each has a title,
/// axes with ticks and their unit, and a legend where it has several series. Every label is
/// text interpolated through `HTML` (escaped); the SVG scales to the page's width (`viewBox`).
enum SVGChart {
    /// Series colours, distinguishable in colour-blind palettes' usual pairs (Tableau 10).
    static let palette = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"]

    static func colour(_ k: Int) -> String { palette[((k % palette.count) + palette.count) % palette.count] }

    struct Bar {
        let label: String
        let value: Double
        /// Colour index (series), so bars can match a legend elsewhere.
        var colour = 0
    }

    /// Horizontal bars, one row each: the label on the left (cut at 28 characters, the full
    /// label as the row's tooltip), the value at the bar's end, a value axis below with ticks
    /// and `unit`.
    static func bars(_ bars: [Bar], title: String, unit: String, decimals: Int) -> HTML {
        let width = 640.0, labelWidth = 200.0, row = 24.0, top = 30.0
        let x0 = labelWidth + 8, x1 = width - 70
        let height = top + row * Double(bars.count) + 44
        let (ticks, maximum) = Self.ticks(upTo: bars.map(\.value).max() ?? 0)
        func x(_ v: Double) -> Double { x0 + (x1 - x0) * max(0, v) / maximum }
        var parts: [HTML] = []
        for t in ticks {
            parts.append("<line class=\"grid\" x1=\"\(x(t), decimals: 1)\" y1=\"\(top - 4, decimals: 1)\" x2=\"\(x(t), decimals: 1)\" y2=\"\(top + row * Double(bars.count), decimals: 1)\"/>")
            parts.append("<text class=\"tick\" x=\"\(x(t), decimals: 1)\" y=\"\(top + row * Double(bars.count) + 16, decimals: 1)\" text-anchor=\"middle\">\(Self.label(t, step: ticks.count > 1 ? ticks[1] - ticks[0] : t))</text>")
        }
        for (k, bar) in bars.enumerated() {
            let y = top + row * Double(k)
            let label = Self.cut(bar.label, columns: 30)
            parts.append("""
                <g><title>\(bar.label): \(Format.fixed(bar.value, decimals)) \(unit)</title>\
                <text class="label" x="\(labelWidth, decimals: 0)" y="\(y + row * 0.65, decimals: 1)" text-anchor="end">\(label)</text>\
                <rect x="\(x0, decimals: 1)" y="\(y + 4, decimals: 1)" width="\(max(0.5, x(bar.value) - x0), decimals: 1)" height="\(row - 8, decimals: 1)" fill="\(colour(bar.colour))"/>\
                <text class="value" x="\(x(bar.value) + 4, decimals: 1)" y="\(y + row * 0.65, decimals: 1)">\(Format.fixed(bar.value, decimals))</text></g>
                """)
        }
        let axisY = top + row * Double(bars.count)
        return frame(width: width, height: height, title: title, parts: parts, left: x0, right: x1, top: top, bottom: axisY, units: """
            <text class="unit" x="\((x0 + x1) / 2, decimals: 1)" y="\(height - 6, decimals: 1)" text-anchor="middle">\(unit)</text>
            """)
    }

    /// The chart's figure: its title, its parts, the x axis along `bottom` from `left` to
    /// `right`, the y axis along `left` from just above `top`, and its unit labels.
    private static func frame(width: Double, height: Double, title: String, parts: [HTML],
                              left: Double, right: Double, top: Double, bottom: Double, units: HTML) -> HTML {
        """
        <figure class="chart"><svg viewBox="0 0 \(width, decimals: 0) \(height, decimals: 0)" role="img" aria-label="\(title)" xmlns="http://www.w3.org/2000/svg">\
        <text class="title" x="0" y="16">\(title)</text>\
        \(parts)\
        <line class="axis" x1="\(left, decimals: 1)" y1="\(bottom, decimals: 1)" x2="\(right, decimals: 1)" y2="\(bottom, decimals: 1)"/>\
        <line class="axis" x1="\(left, decimals: 1)" y1="\(top - 4, decimals: 1)" x2="\(left, decimals: 1)" y2="\(bottom, decimals: 1)"/>\
        \(units)\
        </svg></figure>
        """
    }

    struct Series {
        let name: String
        let values: [Double]
    }

    /// Lines over time: dates along the x axis (at most 6 labelled), values up the y axis with
    /// ticks and `unit`, a legend under the plot naming each series in its colour.
    static func lines(_ series: [Series], times: [Int64], title: String, unit: String) -> HTML {
        let width = 640.0, left = 64.0, right = 16.0, top = 30.0, plot = 200.0
        let legendRow = 20.0
        let height = top + plot + 48 + legendRow * Double(series.count)
        let (ticks, maximum) = Self.ticks(upTo: series.flatMap(\.values).max() ?? 0)
        let n = times.count
        func x(_ s: Int) -> Double { n > 1 ? left + (width - left - right) * Double(s) / Double(n - 1) : (left + width - right) / 2 }
        func y(_ v: Double) -> Double { top + plot - plot * max(0, v) / maximum }
        var parts: [HTML] = []
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : maximum
        for t in ticks {
            parts.append("<line class=\"grid\" x1=\"\(left, decimals: 1)\" y1=\"\(y(t), decimals: 1)\" x2=\"\(width - right, decimals: 1)\" y2=\"\(y(t), decimals: 1)\"/>")
            parts.append("<text class=\"tick\" x=\"\(left - 6, decimals: 1)\" y=\"\(y(t) + 4, decimals: 1)\" text-anchor=\"end\">\(Self.label(t, step: step))</text>")
        }
        let labelled = n <= 6 ? Array(0..<n) : (0..<6).map { k in k * (n - 1) / 5 }
        for s in labelled {
            // The first and last dates sit inside the plot's ends, so none is cut at the edge.
            let anchor: HTML = n > 1 && s == 0 ? "start" : n > 1 && s == n - 1 ? "end" : "middle"
            parts.append("<text class=\"tick\" x=\"\(x(s), decimals: 1)\" y=\"\(top + plot + 16, decimals: 1)\" text-anchor=\"\(anchor)\">\(Format.day(times[s]))</text>")
        }
        for (k, line) in series.enumerated() {
            let points = line.values.prefix(n).enumerated().map { s, v -> String in "\(Format.fixed(x(s), 1)),\(Format.fixed(y(v), 1))" }.joined(separator: " ")
            if n > 1 {
                parts.append("<polyline fill=\"none\" stroke=\"\(colour(k))\" stroke-width=\"2\" points=\"\(points)\"><title>\(line.name)</title></polyline>")
            } else if let v = line.values.first {
                parts.append("<circle cx=\"\(x(0), decimals: 1)\" cy=\"\(y(v), decimals: 1)\" r=\"4\" fill=\"\(colour(k))\"><title>\(line.name)</title></circle>")
            }
            let ly = top + plot + 48 + legendRow * Double(k)
            let name = Self.cut(line.name, columns: 80)
            parts.append("<rect x=\"\(left, decimals: 1)\" y=\"\(ly - 10, decimals: 1)\" width=\"14\" height=\"10\" fill=\"\(colour(k))\"/>")
            parts.append("<text class=\"label\" x=\"\(left + 20, decimals: 1)\" y=\"\(ly, decimals: 1)\">\(name)</text>")
        }
        return frame(width: width, height: height, title: title, parts: parts, left: left, right: width - right, top: top, bottom: top + plot, units: """
            <text class="unit" x="12" y="\(top + plot / 2, decimals: 1)" text-anchor="middle" transform="rotate(-90 12 \(top + plot / 2, decimals: 1))">\(unit)</text>\
            <text class="unit" x="\((left + width - right) / 2, decimals: 1)" y="\(top + plot + 34, decimals: 1)" text-anchor="middle">week (UTC date)</text>
            """)
    }

    /// Round tick values from 0 to at least `value` (steps of 1, 2 or 5 × 10ⁿ, about five of
    /// them), and the axis maximum (the last tick). A maximum of 0 or less gives 0…1.
    static func ticks(upTo value: Double) -> (ticks: [Double], maximum: Double) {
        guard value.isFinite, value > 0 else { return ([0, 0.5, 1], 1) }
        let raw = value / 5
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
        let count = Int((value / step).rounded(.up))
        let ticks = (0...max(1, count)).map { Double($0) * step }
        return (ticks, ticks.last ?? 1)
    }

    /// `text` cut to about `columns` columns of the chart's font (a CJK character counts two),
    /// with "…" when cut.
    static func cut(_ text: String, columns: Int) -> String {
        func width(_ c: Character) -> Int { (c.unicodeScalars.first?.value ?? 0) >= 0x2E80 ? 2 : 1 }
        guard text.reduce(0, { $0 + width($1) }) > columns else { return text }
        var used = 0
        var out = ""
        for c in text {
            if used + width(c) > columns - 1 { break }
            used += width(c)
            out.append(c)
        }
        return out + "…"
    }

    /// A tick's label with as many decimals as its step needs.
    static func label(_ value: Double, step: Double) -> String {
        guard step > 0, step.isFinite else { return Format.fixed(value, 0) }
        return Format.fixed(value, step >= 1 ? 0 : Int(min(6, (-log10(step)).rounded(.up))))
    }
}
