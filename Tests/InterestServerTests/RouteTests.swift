import CorpusGeneration
import Foundation
import HummingbirdTesting
import InterestMiner
import InterestServer
import Testing

@Suite struct RouteTests {
    @Test func healthAndUnknownRoutes() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await testApp(miner).test(.router) { client in
            let health = try await client.send(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(health.object["status"] as? String == "ok")
            #expect((health.object["models"] as? [String: Int])?["cf"] != nil)
            let missing = try await client.send(.get, "/v2/nothing")
            #expect(missing.status == .notFound)
            #expect(missing.object["error"] as? String == "not_found")
            #expect(missing.object["detail"] is String)
        }
    }

    @Test func eventsAsArrayAndLinesAreIdempotent() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        let array = """
            [
              {"type": "query", "user": "web1", "text": "trail running shoes", "ts": 1760000000},
              {"type": "interaction", "user": "web1", "item": "NEWITEM", "action": "view", "ts": 1760000100}
            ]
            """
        try await testApp(miner).test(.router) { client in
            let first = try await client.send(.post, "/v1/events", array)
            #expect(first.status == .ok)
            #expect(first.object["read"] as? Int == 2 && first.object["inserted"] as? Int == 2 && first.object["rejected"] as? Int == 0)
            let again = try await client.send(.post, "/v1/events", array)
            #expect(again.object["inserted"] as? Int == 0 && again.object["duplicates"] as? Int == 2)
            // JSON Lines with one bad line: the good one is kept, the bad one reported by line.
            let lines = #"{"type":"query","user":"web2","text":"rain jacket","ts":1760000200}"# + "\n" + #"{"type":"query","user":"web2","ts":"yesterday"}"# + "\n"
            let mixed = try await client.send(.post, "/v1/events", lines)
            #expect(mixed.status == .ok)
            #expect(mixed.object["inserted"] as? Int == 1 && mixed.object["rejected"] as? Int == 1)
            let errors = mixed.object["errors"] as? [[String: Any]] ?? []
            #expect(errors.count == 1 && errors.first?["line"] as? Int == 2)
            // No all-or-nothing mode: asking for one is refused, nothing written.
            let strict = try await client.send(.post, "/v1/events?strict=true", #"{"type":"query","user":"web3","text":"tent","ts":1760000300}"# + "\n{\"type\":1}\n")
            #expect(strict.status == .badRequest && strict.object["error"] as? String == "invalid_parameter")
            #expect((strict.object["detail"] as? String)?.contains("idempotent") == true)
            // A batch of bad events only: 200, every one reported, nothing written.
            let bad = try await client.send(.post, "/v1/events", #"[{"type":"query","user":"web4"},{"type":"rate"}]"#)
            #expect(bad.status == .ok && bad.object["rejected"] as? Int == 2 && bad.object["inserted"] as? Int == 0)
            #expect((bad.object["errors"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int } == [1, 2])
        }
        #expect(try eventCounts(miner)[1] == before[1] + 2, "two queries stored (web1, web2), none from the refused or bad bodies")
        #expect(try miner.history(ofUser: "web3") == nil)
    }

    @Test func interestsOfKnownAndUnknownUsers() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await testApp(miner).test(.router) { client in
            let known = try await client.send(.get, "/v1/users/u000001/interests?top=5")
            #expect(known.status == .ok)
            #expect(known.object["user"] as? String == "u000001")
            #expect(((known.object["terms"] as? [Any])?.count ?? 0) > 0)
            let since = try await client.send(.get, "/v1/users/u000001/interests?since=2099-01-01")
            #expect(since.status == .ok && since.object["note"] is String)
            let unknown = try await client.send(.get, "/v1/users/nobody/interests")
            #expect(unknown.status == .ok && unknown.object["user"] as? String == "nobody")
            #expect((unknown.object["note"] as? String)?.contains("no events") == true)
            for bad in ["top=0", "top=abc", "top=100000", "since=someday"] {
                let r = try await client.send(.get, "/v1/users/u000001/interests?\(bad)")
                #expect(r.status == .badRequest, "\(bad)")
            }
        }
    }

    @Test func recommendationsMatchTheBatchAPI() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        var batch: [Recommendation] = []
        try miner.recommend(method: .fused, users: ["u000003"], top: 7, threads: 1) { batch.append($0) }
        let expected = batch.first?.items
        let search = try miner.rank(user: "u000003", query: "tent", top: 5).items.map(\.item)
        try await testApp(miner).test(.router) { client in
            let r = try await client.send(.get, "/v1/users/u000003/recommendations?k=7")
            #expect(r.status == .ok)
            #expect(r.object["method"] as? String == "fused")
            let items = (r.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
            #expect(items == expected && items.count == 7)
            let coldStart = try miner.rank(user: "nobody", top: 7).items.map(\.item)
            let nobody = try await client.send(.get, "/v1/users/nobody/recommendations?k=7")
            #expect(nobody.status == .ok && nobody.object["method"] as? String == "fused")
            #expect((nobody.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String } == coldStart && coldStart.count == 7)
            let query = try await client.send(.get, "/v1/users/u000003/recommendations?query=tent&k=5")
            #expect(query.status == .ok && query.object["query"] as? String == "tent")
            #expect((query.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String } == search)
            #expect(try await client.send(.get, "/v1/users/u000003/recommendations?k=0").status == .badRequest)
            #expect(try await client.send(.get, "/v1/users/u000003/recommendations?query=").status == .badRequest)
            // The query as a form sends it: `+` is a space, `%2B` a plus; bad percent-encoding is a 400.
            let plus = try await client.send(.get, "/v1/users/u000003/recommendations?query=trail+tent&k=5")
            let space = try await client.send(.get, "/v1/users/u000003/recommendations?query=trail%20tent&k=5")
            #expect(plus.status == .ok && plus.object["query"] as? String == "trail tent")
            #expect(plus.text == space.text)
            let literal = try await client.send(.get, "/v1/users/u000003/recommendations?query=c%2B%2B&k=5")
            #expect(literal.object["query"] as? String == "c++")
            let malformed = try await client.send(.get, "/v1/users/u000003/recommendations?query=%ZZtent")
            #expect(malformed.status == .badRequest && (malformed.object["detail"] as? String)?.contains("query") == true)
        }
    }

    @Test func rankRouteIsInterestsRank() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let all = try miner.rank(user: "u000002", top: 6, explain: true)
        let candidates = Array(all.items.map(\.item).reversed().prefix(4))
        try await testApp(miner).test(.router) { client in
            let r = try await client.send(.post, "/v1/rank", #"{"user":"u000002","k":6,"explain":true}"#)
            #expect(r.status == .ok)
            let items = r.object["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["item"] as? String } == all.items.map(\.item))
            #expect(items.first?["terms"] is [String] && items.first?["cf"] is Double && items.first?["text"] is Double)
            // The sequence model's part and its "because of" history items, as `rank --explain`
            // names them (SequenceServingTests checks they are the user's own).
            #expect(items.allSatisfy { $0["sequence"] is Double })
            let because = items.map { $0["because_of"] as? [String] ?? [] }
            #expect(because.contains { !$0.isEmpty } && because == all.items.map { $0.becauseOf ?? [] })
            let listed = "[" + candidates.map { "\"\($0)\"" }.joined(separator: ",") + "]"
            let some = try await client.send(.post, "/v1/rank", #"{"user":"u000002","items":\#(listed),"query":"tent"}"#)
            #expect(some.status == .ok && Set((some.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }) == Set(candidates))
            let nobody = try await client.send(.post, "/v1/rank", #"{"user":"nobody","k":4}"#)
            #expect(nobody.status == .ok && nobody.object["segment"] as? String == "cold" && (nobody.object["note"] as? String)?.contains("unknown user") == true)
            #expect((nobody.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String } == (try miner.rank(user: "nobody", top: 4).items.map(\.item)))
            let unknownItems = try await client.send(.post, "/v1/rank", #"{"user":"u000002","items":["no-such-item", "\#(candidates[0])"]}"#)
            #expect(unknownItems.status == .notFound && unknownItems.object["error"] as? String == "unknown_items")
            #expect((unknownItems.object["detail"] as? String)?.contains("no-such-item") == true)
            for bad in [#"{"user":"u000002","k":0}"#, #"{"user":"u000002","k":"ten"}"#, #"{"items":["a"]}"#, #"{"user":"u000002","items":["a\u0001"]}"#,
                        #"{"user":"u000002","items":[]}"#, #"{"user":"u000002","query":""}"#, #"{"user":""}"#, #"{"user":" "}"#, "[1,2", "null"] {
                let answer = try await client.send(.post, "/v1/rank", bad)
                #expect(answer.status == .badRequest, "\(bad)")
                #expect(answer.object["error"] is String && answer.object["detail"] is String, "\(bad)")
            }
        }
    }

    @Test func recommendationsUseCollaborativeFilteringWithoutARanker() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-server-cf-\(UUID().uuidString)")
        let report = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 6, users: 20, items: 32), to: dir.path)
        let miner = try InterestMiner(databasePath: dir.appendingPathComponent("db.sqlite").path)
        _ = try await miner.ingest([.file(report.eventsFile)])
        var options = serverTestTraining
        options.ranker = nil
        _ = try miner.train(options)
        var batch: [Recommendation] = []
        try miner.recommend(method: .cf, users: ["u000002"], top: 5, threads: 1) { batch.append($0) }
        let expected = batch.first?.items
        try await testApp(miner).test(.router) { client in
            let r = try await client.send(.get, "/v1/users/u000002/recommendations?k=5")
            #expect(r.status == .ok && r.object["method"] as? String == "cf")
            #expect((r.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String } == expected)
            let search = try await client.send(.get, "/v1/users/u000002/recommendations?query=tent")
            #expect(search.status == .conflict && search.object["error"] as? String == "not_trained")
        }
    }

    @Test func recommendationsFallBackToTextWithoutACollaborativeModel() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-server-text-\(UUID().uuidString)")
        let report = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 5, users: 20, items: 32), to: dir.path)
        let miner = try InterestMiner(databasePath: dir.appendingPathComponent("db.sqlite").path)
        _ = try await miner.ingest([.file(report.eventsFile)])
        try await testApp(miner).test(.router) { client in
            let untrained = try await client.send(.get, "/v1/users/u000001/recommendations")
            #expect(untrained.status == .conflict && untrained.object["error"] as? String == "not_trained")
        }
        var options = serverTestTraining
        options.cf = nil
        options.ranker = nil
        _ = try miner.train(options)
        var batch: [Recommendation] = []
        try miner.recommend(method: .text, users: ["u000002"], top: 5, threads: 1) { batch.append($0) }
        let expected = batch.first?.items
        try await testApp(miner).test(.router) { client in
            let r = try await client.send(.get, "/v1/users/u000002/recommendations?k=5")
            #expect(r.status == .ok && r.object["method"] as? String == "text")
            #expect((r.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String } == expected)
        }
    }

    @Test func deleteForgetsTheUser() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await testApp(miner).test(.router) { client in
            #expect(try await client.send(.get, "/v1/users/u000004/recommendations").status == .ok)
            let deleted = try await client.send(.delete, "/v1/users/u000004")
            #expect(deleted.status == .ok)
            #expect((deleted.object["interactions"] as? Int ?? 0) + (deleted.object["reviews"] as? Int ?? 0) > 0)
            #expect(deleted.object["wal_truncated"] as? Bool == true)
            let again = try await client.send(.delete, "/v1/users/u000004")
            #expect(again.status == .notFound && again.object["error"] as? String == "unknown_user")
            // Reads answer a forgotten user as one never seen: cold start, no evidence.
            let recommendations = try await client.send(.get, "/v1/users/u000004/recommendations?k=5")
            #expect(recommendations.status == .ok)
            #expect((recommendations.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
                    == (try miner.rank(user: "never-seen", top: 5).items.map(\.item)))
            let interests = try await client.send(.get, "/v1/users/u000004/interests")
            #expect(interests.status == .ok && (interests.object["terms"] as? [Any])?.isEmpty == true && interests.object["note"] is String)
        }
        #expect(try miner.history(ofUser: "u000004") == nil)
    }

    @Test func metricsCountRequestsEventsAndModels() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await testApp(miner).test(.router) { client in
            _ = try await client.send(.get, "/v1/users/u000001/recommendations")
            _ = try await client.send(.get, "/v1/users/nobody/recommendations")
            _ = try await client.send(.post, "/v1/events", #"[{"type":"query","user":"m1","text":"kayak paddle","ts":1760000000}]"#)
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains(#"interests_http_requests_total{route="/v1/users/{id}/recommendations",method="GET",status="200"} 2"#))
            #expect(!text.contains("nobody"), "route templates, never ids")
            #expect(text.contains(#"interests_http_request_duration_seconds_count{route="/v1/users/{id}/recommendations"} 2"#))
            #expect(text.contains(#"interests_events_ingested_total{outcome="inserted"} 1"#))
            #expect(text.contains(#"interests_model_version{kind="cf"}"#))
        }
    }

    @Test func trainingSwapsModelsWhileServing() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try miner.modelVersions()
        try await testApp(miner).test(.router) { client in
            #expect(try await client.send(.get, "/v1/users/u000001/recommendations").status == .ok)
            let started = try await client.send(.post, "/v1/train")
            #expect(started.status == .accepted && started.object["state"] as? String == "running")
            // Reads go on being answered while it trains.
            var answered = 0
            var state = "running"
            for _ in 0..<2000 where state == "running" {
                #expect(try await client.send(.get, "/v1/users/u000002/recommendations?k=3").status == .ok)
                answered += 1
                state = try await client.send(.get, "/v1/train").object["state"] as? String ?? "?"
                if state == "running" { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(state == "succeeded")
            #expect(answered > 0)
            // Times are ISO-8601 strings (docs/openapi.yaml), in order, around now.
            let status = try await client.send(.get, "/v1/train").object
            let iso = ISO8601DateFormatter()
            let startedAt = (status["started_at"] as? String).flatMap(iso.date(from:))
            let finishedAt = (status["finished_at"] as? String).flatMap(iso.date(from:))
            #expect(startedAt != nil && finishedAt != nil, "\(status)")
            if let startedAt, let finishedAt {
                #expect(startedAt <= finishedAt && abs(finishedAt.timeIntervalSinceNow) < 600)
            }
            let after = try await client.send(.get, "/healthz").object["models"] as? [String: Int] ?? [:]
            #expect(after["cf"] == (before["cf"] ?? 0) + 1 && after["ranker"] == (before["ranker"] ?? 0) + 1)
            let r = try await client.send(.get, "/v1/users/u000001/recommendations")
            #expect(r.status == .ok && r.object["method"] as? String == "fused")
        }
    }
}

@Suite struct HistoryRouteTests {
    @Test func historyListsAUsersEventsInTheEventFormat() async throws {
        let miner = try emptyMiner()
        let body = """
            [{"type":"review","id":"r1","user":"u1","item":"I1","rating":4,"text":"<b>tent</b> 帐篷","ts":1760000000},
             {"type":"interaction","user":"u1","item":"I2","action":"cart","ts":1760000100},
             {"type":"query","user":"u1","text":"stove","ts":1760000200},
             {"type":"interaction","user":"u2","item":"I2","action":"view","ts":1760000300}]
            """
        try await testApp(miner).test(.router) { client in
            let posted = try await client.send(.post, "/v1/events", body)
            #expect(posted.status == .ok)
            let r = try await client.send(.get, "/v1/users/u1/history")
            #expect(r.status == .ok && r.object["user"] as? String == "u1" && r.object["total"] as? Int == 3)
            let events = r.object["events"] as? [[String: Any]] ?? []
            #expect(events.compactMap { $0["type"] as? String } == ["review", "interaction", "query"])
            #expect(events.first?["id"] as? String == "r1" && events.first?["text"] as? String == "<b>tent</b> 帐篷" && events.first?["rating"] as? Double == 4)
            #expect(events[1]["action"] as? String == "cart" && events[1]["item"] as? String == "I2" && events[1]["id"] == nil)
            // The newest `limit`, oldest first.
            let last = try await client.send(.get, "/v1/users/u1/history?limit=2")
            #expect((last.object["events"] as? [[String: Any]] ?? []).compactMap { $0["ts"] as? Int } == [1_760_000_100, 1_760_000_200])
            #expect(last.object["total"] as? Int == 3)
            let unknown = try await client.send(.get, "/v1/users/nobody/history")
            #expect(unknown.status == .notFound && unknown.object["error"] as? String == "unknown_user")
            let bad = try await client.send(.get, "/v1/users/u1/history?limit=0")
            #expect(bad.status == .badRequest && bad.object["error"] as? String == "invalid_parameter")
        }
    }
}
