import Foundation
import Hummingbird
import HummingbirdTesting
import InterestMiner
@testable import InterestServer
import Testing

/// The web console: every page answers HTML, hostile text shows as text, unknown ids and bad
/// parameters are error pages with the API's status and code, reads' access applies, and
/// `--no-console` takes the pages away.
@Suite struct ConsoleTests {
    static let html = "text/html; charset=utf-8"

    func consoleApp(_ miner: InterestMiner, token: String? = nil, readToken: String? = nil, console: Bool = true) -> some ApplicationProtocol {
        buildApplication(miner: miner, configuration: ServerConfiguration(port: 0, token: token, readToken: readToken, training: serverTestTraining,
                                                                          console: console))
    }

    /// An item the user touched (from their history).
    static func someItem(of miner: InterestMiner, user: String) throws -> String {
        for event in try miner.history(ofUser: user) ?? [] {
            switch event {
            case .review(let r): return r.item
            case .interaction(let x): return x.item
            default: continue
            }
        }
        throw CancellationError()
    }

    @Test func everyPageAnswersHTML() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let item = try Self.someItem(of: miner, user: "u000001")
        try await consoleApp(miner).test(.router) { client in
            let shop = try await client.send(.get, "/console")
            #expect(shop.status == .ok && shop.headers[.contentType] == Self.html)
            #expect(shop.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            // No request for /favicon.ico (a 404 a browser logs as a failed resource).
            #expect(shop.text.contains("<link rel=\"icon\" href=\"data:,\">"))
            for part in ["id=\"counts\"", "id=\"generations\"", "id=\"service\"", "<svg", "Events by type", "held-out NDCG@10", "active"] {
                #expect(shop.text.contains(part), "shop page: \(part)")
            }
            let user = try await client.send(.get, "/console/users/u000002")
            #expect(user.status == .ok && user.headers[.contentType] == Self.html)
            for part in ["id=\"interests\"", "id=\"recommendations\"", "id=\"search\"", "id=\"history\"", "<svg", "Each interest&#39;s weight, week by week",
                         "class=\"ranked\"", "because of", "attn text"] {
                #expect(user.text.contains(part), "user page: \(part)")
            }
            let search = try await client.send(.get, "/console/users/u000001?query=tent")
            #expect(search.status == .ok && search.text.contains("Personalised search for “tent”"))
            let page = try await client.send(.get, "/console/items/\(Format.segment(item))")
            #expect(page.status == .ok && page.headers[.contentType] == Self.html)
            for part in ["id=\"record\"", "id=\"neighbours\"", "id=\"lookalikes\"", "id=\"terms\""] {
                #expect(page.text.contains(part), "item page: \(part)")
            }
            #expect(try await client.send(.head, "/console").status == .ok)
        }
    }

    /// The shop page shows the last evaluation the database keeps, or says how to make one.
    @Test func theShopPageShowsTheLastEvaluation() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await consoleApp(miner).test(.router) { client in
            let none = try await client.send(.get, "/console")
            #expect(none.status == .ok && none.text.contains("id=\"evaluation\"") && none.text.contains("None yet: run <code>interests eval"))
        }
        var options = EvaluationOptions()
        options.training = serverTestTraining
        options.methods = [.popularity, .cf]
        let report = try await miner.evaluate(options)
        try await consoleApp(miner).test(.router) { client in
            let shop = try await client.send(.get, "/console")
            #expect(shop.status == .ok)
            let cf = try #require(report.methods.first { $0.method == "cf" })
            for part in ["NDCG@10 by method", "<td>popularity</td>", "<td>cf</td>", Format.fixed(cf.all.ndcg, 4),
                         "\(Format.count(report.testUsers)) test users"] {
                #expect(shop.text.contains(part), "shop page: \(part)")
            }
        }
        // Methods left out are listed, their reasons escaped.
        var skipping = report
        skipping.skipped = ["text": "no <text> model"]
        let html = EvaluationView.render((1_760_000_000, skipping), onPostgres: false).raw
        #expect(html.contains("<li><code>text</code> left out: no &lt;text&gt; model</li>"))
        #expect(!html.contains("HTML("))
        #expect(EvaluationView.render(nil, onPostgres: true).raw.contains("runs on an SQLite file"))
    }

    /// The item page names who the service recommended the item to most: each recommendation
    /// answer counts once per listed item; a personalised search does not count.
    @Test func anItemPageShowsWhoItWasRecommendedTo() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await consoleApp(miner).test(.router) { client in
            var listed: [String] = []
            for (user, times) in [("u000003", 3), ("u000004", 1)] {
                for _ in 0..<times {
                    let r = try await client.send(.get, "/v1/users/\(user)/recommendations?k=5")
                    #expect(r.status == .ok)
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any])
                    listed = (json["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
                }
            }
            let item = try #require(listed.first)
            _ = try await client.send(.get, "/v1/users/u000005/recommendations?k=5&query=tent")
            let page = try await client.send(.get, "/console/items/\(Format.segment(item))")
            #expect(page.status == .ok && page.text.contains("id=\"audience\""))
            #expect(page.text.contains("href=\"/console/users/u000004\""))
            #expect(!page.text.contains("href=\"/console/users/u000005\""), "searches do not count")
            let unseen = try await client.send(.get, "/console/items/\(Format.segment(try Self.someItem(of: miner, user: "u000001")))")
            #expect(unseen.status == .ok && unseen.text.contains("id=\"audience\""))
        }
    }

    @Test func hostileAndChineseTextShowsAsText() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let events = """
            {"type":"item","item":"X<script>","title":"<script>alert(2)</script>","text":"漂亮的杯子 <b>bold</b>","category":"\\"quoted\\" & more"}
            {"type":"review","user":"u<b>1","item":"X<script>","rating":5,"text":"<script>alert(1)</script>","ts":1760000000}
            {"type":"review","user":"u<b>1","item":"X<script>","rating":4,"text":"这个杯子很好看，质量不错","ts":1760000100}
            {"type":"query","user":"u<b>1","text":"\\"><img src=x onerror=alert(4)>","ts":1760000200}
            """
        _ = try await miner.ingest([.bytes(name: "hostile", Array(events.utf8))])
        try await consoleApp(miner).test(.router) { client in
            let user = try await client.send(.get, "/console/users/\(Format.segment("u<b>1"))?query=%3Cscript%3Ealert(3)%3C%2Fscript%3E")
            #expect(user.status == .ok)
            let text = user.text
            #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(text.contains("这个杯子很好看，质量不错"))
            #expect(text.contains("u&lt;b&gt;1"))
            #expect(text.contains("&quot;&gt;&lt;img src=x onerror=alert(4)&gt;"))
            #expect(text.contains("&lt;script&gt;alert(3)&lt;/script&gt;"), "the search box keeps the query, escaped")
            for raw in ["<script>alert", "<img src=x", "<b>1", "onerror=alert(4)>"] { #expect(!text.contains(raw), "raw \(raw)") }
            let item = try await client.send(.get, "/console/items/\(Format.segment("X<script>"))")
            #expect(item.status == .ok)
            #expect(item.text.contains("&lt;script&gt;alert(2)&lt;/script&gt;") && item.text.contains("漂亮的杯子 &lt;b&gt;bold&lt;/b&gt;"))
            #expect(item.text.contains("&quot;quoted&quot; &amp; more"))
            #expect(!item.text.contains("<script>alert") && !item.text.contains("<b>bold"))
            // The error page of an unknown hostile id escapes it too.
            let missing = try await client.send(.get, "/console/users/\(Format.segment("<script>alert(5)</script>"))")
            #expect(missing.status == .notFound && missing.text.contains("&lt;script&gt;alert(5)") && !missing.text.contains("<script>alert"))
        }
    }

    @Test func unknownIDsAndBadParametersAreErrorPages() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await consoleApp(miner).test(.router) { client in
            let user = try await client.send(.get, "/console/users/nobody")
            #expect(user.status == .notFound && user.headers[.contentType] == Self.html && user.text.contains("unknown_user"))
            let api = try await client.send(.get, "/v1/users/nobody/history")
            #expect(api.status == .notFound && api.object["error"] as? String == "unknown_user", "the API answers the same")
            let item = try await client.send(.get, "/console/items/no-such-item")
            #expect(item.status == .notFound && item.headers[.contentType] == Self.html && item.text.contains("unknown_items"))
            for bad in ["/console/users/u000001?limit=0", "/console/users/u000001?limit=x", "/console/users/%20", "/console?user=%20",
                        "/console/users/u000001?query=" + String(repeating: "a", count: 2001)] {
                let r = try await client.send(.get, bad)
                #expect(r.status == .badRequest && r.headers[.contentType] == Self.html, "\(bad): \(r.status)")
            }
            let route = try await client.send(.get, "/console/nothing")
            #expect(route.status == .notFound && route.headers[.contentType] == Self.html && route.text.contains("not_found"))
            // A method the console does not have: 405 like every route.
            let post = try await client.send(.post, "/console")
            #expect(post.status == .methodNotAllowed && post.headers[.allow] == "GET, HEAD")
        }
    }

    @Test func idBoxesSendOnToThePages() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await consoleApp(miner).test(.router) { client in
            let user = try await client.send(.get, "/console?user=a+b%2Fc")
            #expect(user.status == .seeOther && user.headers[.location] == "/console/users/a%20b%2Fc")
            let item = try await client.send(.get, "/console?item=%E4%B8%AD")
            #expect(item.status == .seeOther && item.headers[.location] == "/console/items/%E4%B8%AD")
        }
    }

    @Test func timelineIsNewestFirstAndCapped() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let history = try miner.history(ofUser: "u000002") ?? []
        try #require(history.count > 3)
        try await consoleApp(miner).test(.router) { client in
            let r = try await client.send(.get, "/console/users/u000002?limit=2")
            #expect(r.status == .ok)
            let timeline = r.text.components(separatedBy: "<ol class=\"timeline\">").last?.components(separatedBy: "</ol>").first ?? ""
            #expect(timeline.components(separatedBy: "<li").count - 1 == 2)
            #expect(r.text.contains("more (\(history.count - 2) older events)") && r.text.contains("?limit=8#history"))
            let times = timeline.components(separatedBy: "<time>").dropFirst().compactMap { $0.components(separatedBy: "</time>").first }
            #expect(times == times.sorted(by: >), "newest first")
        }
    }

    @Test func readsAccessApplies() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await consoleApp(miner, token: AuthTests.token, readToken: AuthTests.readToken).test(.router) { client in
            for path in ["/console", "/console/users/u000001", "/console/items/nothing"] {
                let none = try await client.send(.get, path)
                #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == "Bearer", "\(path)")
                #expect(none.headers[.contentType] == Self.html && none.text.contains("unauthorized"), "\(path)")
                #expect(try await client.send(.get, path, token: "wrong").status == .unauthorized, "\(path)")
            }
            #expect(try await client.send(.get, "/console", token: AuthTests.readToken).status == .ok)
            #expect(try await client.send(.get, "/console/users/u000001", token: AuthTests.readToken).status == .ok)
            #expect(try await client.send(.get, "/console", token: AuthTests.token).status == .ok)
        }
    }

    @Test func noConsoleTakesThePagesAway() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await consoleApp(miner, console: false).test(.router) { client in
            for path in ["/console", "/console/users/u000001", "/console/items/x"] {
                let r = try await client.send(.get, path)
                #expect(r.status == .notFound && r.object["error"] as? String == "not_found", "\(path)")
                #expect(try await client.send(.post, path).status == .notFound, "no 405 for a route the server does not have: \(path)")
            }
            #expect(try await client.send(.get, "/v1/users/u000001/history").status == .ok)
        }
    }

    /// The chart of each interest's weight over time ends where the profile stands now: its
    /// last sample's shares are the interests' shares `terms` reports.
    @Test func interestTimelineEndsAtTheSharesNow() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let profile = try miner.interestProfile(user: "u000003", top: 10, weeks: 52)
        let timeline = try #require(profile.timeline)
        #expect(timeline.weights.count == profile.terms.interests.count)
        #expect(timeline.times == timeline.times.sorted() && zip(timeline.times, timeline.times.dropFirst()).allSatisfy { $1 - $0 == 7 * 86_400 })
        let last = timeline.weights.map { $0.last ?? 0 }
        let total = last.reduce(0, +)
        try #require(total > 0)
        for (j, interest) in profile.terms.interests.enumerated() {
            #expect(abs(last[j] / total - interest.share) < 1e-9, "interest \(j)")
        }
        #expect(timeline.weights.allSatisfy { $0.allSatisfy { $0 >= 0 && $0.isFinite } })
        #expect(profile.terms == (try miner.terms(user: "u000003")), "the same terms as `terms`")
    }

    @Test func chartTicksAndEscaping() {
        #expect(SVGChart.ticks(upTo: 7.3).ticks == [0, 2, 4, 6, 8])
        #expect(SVGChart.ticks(upTo: 0).maximum == 1)
        #expect(SVGChart.ticks(upTo: 0.042).ticks.last ?? 0 >= 0.042)
        let chart = SVGChart.bars([.init(label: "<x>", value: 1)], title: "t & u", unit: "units", decimals: 0).raw
        #expect(chart.contains("&lt;x&gt;") && chart.contains("t &amp; u") && !chart.contains("<x>"))
        let hostile = "<script>'\"&"
        let html: HTML = "<p>\(hostile)</p>"
        #expect(html.raw == "<p>&lt;script&gt;&#39;&quot;&amp;</p>")
    }
}

@Suite struct ConsoleFormatTests {
    /// Dates without a formatter agree with Foundation's.
    @Test func civilDatesMatchFoundation() {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        for t: Int64 in [0, 59, 86_399, 86_400, 951_782_400, 1_700_000_000, 1_760_000_123, 4_102_444_800, -1, -86_401, -2_208_988_800] {
            #expect(Format.time(t) == f.string(from: Date(timeIntervalSince1970: TimeInterval(t))) + " UTC", "\(t)")
        }
        #expect(Format.count(1_234_567) == "1\u{202F}234\u{202F}567" && Format.count(12) == "12")
        #expect(Format.segment("a b/c?d#e中") == "a%20b%2Fc%3Fd%23e%E4%B8%AD")
    }
}
