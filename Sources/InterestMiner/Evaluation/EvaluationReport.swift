import Foundation

extension EvaluationReport {
    /// The Markdown report: the table of methods and the SVG chart beside it.
    public func markdown(chart: String = "methods.svg") -> String {
        var s = "# Evaluation\n\n"
        s += "Split: `\(split)` — leave-last-out by time, full ranking, seen items excluded (the protocol of ../shared/peers).\n"
        s += "\(testUsers) test users (\(coldUsers) cold: ≤ 4 positive training events), \(catalogue) items.\n\n"
        s += "| method | Recall@\(k) | NDCG@\(k) | MRR@\(k) | AUC | coverage@\(k) | cold NDCG@\(k) | cold Recall@\(k) | seconds |\n"
        s += "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for m in methods {
            s += "| \(m.method) | \(f(m.all.recall)) | \(f(m.all.ndcg)) | \(f(m.all.mrr)) | \(f(m.all.auc)) | \(f(m.coverage)) | "
                + "\(m.cold.users > 0 ? f(m.cold.ndcg) : "–") | \(m.cold.users > 0 ? f(m.cold.recall) : "–") | \(String(format: "%.2f", m.seconds)) |\n"
        }
        if let r = training.ranker {
            s += "\nFusion weights (validation split of the training data, \(r.validationUsers) users, \(r.coldUsers) cold; "
                + "NDCG@10 on the \(r.heldOutUsers) of them held out from a second fit on the others):\n\n"
            s += "| feature | cold | warm | held-out NDCG@10 |\n|---|---:|---:|---:|\n"
            let heldOut = { (name: String) in r.heldOutNDCG[name].map(f) ?? "–" }
            for (k, name) in r.features.enumerated() {
                s += "| \(name) | \(String(format: "%.3f", r.coldWeights[k])) | \(String(format: "%.3f", r.warmWeights[k])) | \(heldOut(name)) |\n"
            }
            s += "| **fused** | | | \(heldOut("fused")) |\n"
        }
        s += "\n![NDCG@\(k) and Recall@\(k) per method](\(chart))\n"
        return s
    }

    /// A grouped bar chart (NDCG@k, Recall@k, cold NDCG@k) of the methods, as SVG.
    public func svg() -> String {
        let series: [(String, String, (MethodEvaluation) -> Double)] = [
            ("NDCG@\(k)", "#3b6ea8", { $0.all.ndcg }), ("Recall@\(k)", "#7fb3d5", { $0.all.recall }), ("cold NDCG@\(k)", "#e59866", { $0.cold.ndcg }),
        ]
        let width = 120 + methods.count * 150, height = 320, plotTop = 40, plotBottom = 260
        let maxValue = max(0.05, methods.flatMap { m in series.map { $0.2(m) } }.max() ?? 1)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<text x=\"10\" y=\"20\" font-size=\"14\">\(escape(split)) — \(testUsers) test users</text>\n"
        s += "<line x1=\"60\" y1=\"\(plotBottom)\" x2=\"\(width - 20)\" y2=\"\(plotBottom)\" stroke=\"#333\"/>\n"
        for tick in 0...4 {
            let v = maxValue * Double(tick) / 4
            let y = Double(plotBottom) - Double(plotBottom - plotTop) * Double(tick) / 4
            s += "<text x=\"55\" y=\"\(Int(y) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", v))</text>\n"
        }
        for (mi, m) in methods.enumerated() {
            let x0 = 80 + mi * 150
            for (si, (_, color, value)) in series.enumerated() {
                let v = value(m)
                let h = Double(plotBottom - plotTop) * v / maxValue
                s += "<rect x=\"\(x0 + si * 40)\" y=\"\(Int(Double(plotBottom) - h))\" width=\"34\" height=\"\(Int(h))\" fill=\"\(color)\"/>\n"
                s += "<text x=\"\(x0 + si * 40 + 17)\" y=\"\(Int(Double(plotBottom) - h) - 4)\" text-anchor=\"middle\" font-size=\"10\">\(String(format: "%.3f", v))</text>\n"
            }
            s += "<text x=\"\(x0 + 57)\" y=\"\(plotBottom + 18)\" text-anchor=\"middle\">\(escape(m.method))</text>\n"
        }
        for (si, (name, color, _)) in series.enumerated() {
            s += "<rect x=\"\(80 + si * 130)\" y=\"\(height - 30)\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
            s += "<text x=\"\(96 + si * 130)\" y=\"\(height - 20)\">\(name)</text>\n"
        }
        return s + "</svg>\n"
    }

    /// Writes report.md, methods.svg, report.json and lists/METHOD.jsonl into `directory`.
    public func write(to directory: String) throws(InterestMinerError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory + "/lists", withIntermediateDirectories: true)
            try markdown().write(toFile: directory + "/report.md", atomically: true, encoding: .utf8)
            try svg().write(toFile: directory + "/methods.svg", atomically: true, encoding: .utf8)
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var summary = self
            summary.lists = [:]
            try enc.encode(summary).write(to: URL(fileURLWithPath: directory + "/report.json"))
            for (method, recs) in lists {
                var text = ""
                for r in recs { text += String(decoding: try enc.encode(r), as: UTF8.self) + "\n" }
                try text.write(toFile: directory + "/lists/\(method).jsonl", atomically: true, encoding: .utf8)
            }
        } catch {
            throw .unwritableOutput(path: directory, reason: error.localizedDescription)
        }
    }

    private func f(_ x: Double) -> String { String(format: "%.4f", x) }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
