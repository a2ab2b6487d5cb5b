import Foundation
import HummingbirdTesting
import InterestCore
import InterestMiner
import InterestServer
import Testing

@Suite struct BadInputTests {
    /// Bodies that are no batch of events (400: empty, not JSON, not an array of objects), and
    /// batches whose every event is bad (200, each event reported, nothing written).
    static let notABatch: [(String, [UInt8])] = {
        func s(_ t: String) -> [UInt8] { Array(t.utf8) }
        return [
            ("empty", []),
            ("whitespace", s("  \n\n ")),
            ("empty array", s("[]")),
            ("malformed array", s(#"[{"type":"query","user":"x","text":"a","ts":1760000000}"#)),
            ("array with trailing text", s(#"[] junk"#)),
            ("empty element", s(#"[{"type":"query","user":"x","text":"a","ts":1760000000},,]"#)),
            ("not objects", s("[1, 2, \"three\", null]")),
            ("an object among non-objects", s(#"[{"type":"query","user":"x","text":"a","ts":1760000000}, 7]"#)),
            ("deep nesting", s(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))),
            ("gzip", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00]),
        ]
    }()

    static let allEventsBad: [(String, [UInt8])] = {
        func s(_ t: String) -> [UInt8] { Array(t.utf8) }
        return [
            ("malformed line", s(#"{"type":"query","user":"x","text":"#)),
            ("wrong types", s(#"[{"type":"review","user":["u"],"item":{"a":1},"rating":"five","text":7,"ts":true}]"#)),
            ("huge numbers", s(#"[{"type":"review","user":"x","item":"i","rating":1e400,"text":"ok","ts":99999999999999999999999999}]"#)),
            ("negative rating", s(#"{"type":"review","user":"x","item":"i","rating":-3,"text":"ok","ts":1760000000}"#)),
            ("deep object", s(#"{"type":"query","user":"x","text":"a","ts":1760000000,"extra":"# + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}")),
            ("invalid UTF-8", [0x7B, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3A, 0x22, 0x71, 0xFF, 0xFE, 0x22, 0x7D]),
            ("invalid UTF-8 in text", s(#"{"type":"query","user":"x","text":""#) + [0xC3, 0x28] + s(#"","ts":1760000000}"#)),
            ("raw newline in array string", s("[{\"type\":\"query\",\"user\":\"x\",\"text\":\"a\nb\",\"ts\":1760000000}]")),
            ("unpaired surrogate", s(#"{"type":"query","user":"x","text":"\ud800","ts":1760000000}"#)),
            ("overlong user id", s(#"{"type":"query","user":""# + String(repeating: "u", count: 300) + #"","text":"a","ts":1760000000}"#)),
            ("NUL in text", s(#"[{"type":"query","user":"x","text":"\u0000tent","ts":1760000000}]"#)),
            ("empty object", s("[{}]")),
            ("SQL in a field", s(#"{"type":"query","user":"x'); DROP TABLE user; --","text":"","ts":1760000000}"#)),
        ]
    }()

    @Test func badBodiesWriteNothing() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        try await testApp(miner, maxBodyBytes: 4 << 20).test(.router) { client in
            for (name, body) in Self.notABatch {
                let r = try await client.send(.post, "/v1/events", bytes: body)
                #expect(r.status == .badRequest, "\(name): \(r.status)")
                #expect(r.object["error"] is String && r.object["detail"] is String, "\(name): JSON error")
            }
            for (name, body) in Self.allEventsBad {
                let r = try await client.send(.post, "/v1/events", bytes: body)
                #expect(r.status == .ok, "\(name): \(r.status)")
                let read = r.object["read"] as? Int ?? 0
                #expect(read >= 1 && r.object["rejected"] as? Int == read && r.object["inserted"] as? Int == 0, "\(name): \(r.text)")
                #expect((r.object["errors"] as? [[String: Any]])?.first?["reason"] is String, "\(name): a reason")
            }
            #expect(try await client.send(.post, "/v1/events?strict=true", bytes: Self.allEventsBad[1].1).status == .badRequest, "no all-or-nothing mode")
            let big = [UInt8](repeating: 0x20, count: (4 << 20) + 1)
            #expect(try await client.send(.post, "/v1/events", bytes: big).status == .contentTooLarge)
            for path in ["/v1/users/%FF%FE/interests", "/v1/users/a%00b/recommendations", "/v1/users/a%0Ab/interests"] {
                let r = try await client.send(.get, path)
                #expect(r.status == .badRequest && r.object["error"] as? String == "invalid_user_id", "\(path): \(r.status)")
            }
            // Hostile but valid ids are only ever SQL parameters: users without events (cold start).
            for path in ["/v1/users/x'%20OR%201=1--/recommendations", "/v1/users/..%2F..%2Fetc%2Fpasswd/interests", "/v1/users/%2E%2E/recommendations"] {
                let r = try await client.send(.get, path)
                #expect(r.status == .ok && r.object["user"] is String, "\(path): \(r.status)")
            }
            for path in ["/v1/users/x'%20OR%201=1--", "/v1/users/..%2F..", "/v1/users/%25"] {
                #expect((400..<500).contains(try await client.send(.delete, path).status.code), "\(path)")
            }
            #expect(try await client.send(.get, "/healthz").status == .ok)
        }
        #expect(try eventCounts(miner) == before)
        #expect(try miner.integrityCheck() == "ok")
    }

    /// Thousands of generated bodies (seeded): valid events, mutated ones, random bytes, structural
    /// damage. No answer is a 5xx, and every acknowledged event is stored.
    @Test func seededFuzz() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        let (inserted, itemRecords, statuses) = try await testApp(miner).test(.router) { client in
            var rng = SeededRandom(seed: 20_251_120)
            var inserted = 0
            var itemRecords = 0
            var statuses: [Int: Int] = [:]
            for k in 0..<3000 {
                let body = FuzzBodies.make(&rng, k)
                let r = try await client.send(.post, "/v1/events", bytes: body)
                statuses[r.status.code, default: 0] += 1
                #expect(r.status.code < 500, "body \(k): \(r.status)")
                if r.status == .ok {
                    inserted += r.object["inserted"] as? Int ?? 0
                    itemRecords += String(decoding: body, as: UTF8.self).components(separatedBy: #""type":"item""#).count - 1
                }
            }
            #expect(try await client.send(.get, "/healthz").status == .ok)
            return (inserted, itemRecords, statuses)
        }
        let after = try eventCounts(miner)
        // Every acknowledged event is stored: new events = acknowledged inserts less new item records.
        let stored = after[0] + after[1] + after[2] - before[0] - before[1] - before[2]
        #expect(stored <= inserted && stored >= inserted - itemRecords, "stored \(stored), acknowledged \(inserted), item records ≤ \(itemRecords)")
        #expect((statuses[200] ?? 0) > 100 && (statuses[400] ?? 0) > 100, "both batches and bodies that are none: \(statuses)")
        #expect(try miner.integrityCheck() == "ok")
    }
}

/// Seeded event bodies for the fuzz test.
enum FuzzBodies {
    static let valid = [
        #"{"type":"query","user":"fz#","text":"warm socks #","ts":1760000000}"#,
        #"{"type":"review","user":"fz#","item":"i#","rating":4,"text":"nice one #","ts":1760000001}"#,
        #"{"type":"interaction","user":"fz#","item":"i#","action":"cart","ts":"2025-10-01T00:00:00Z"}"#,
        #"{"type":"item","item":"i#","title":"thing #","category":"misc"}"#,
    ]
    static let pieces = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud83d", "1e999", "-0", "null", "true", "\u{0}", "é", "中", "\n", " ", "9999999999999999999999"]

    static func make(_ rng: inout SeededRandom, _ k: Int) -> [UInt8] {
        var lines: [String] = []
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            lines.append(valid[Int(rng.next() % UInt64(valid.count))].replacingOccurrences(of: "#", with: "\(k)_\(rng.next() % 1000)"))
        }
        var text = rng.next() % 2 == 0 ? "[" + lines.joined(separator: ",") + "]" : lines.joined(separator: "\n")
        var bytes = Array(text.utf8)
        switch rng.next() % 6 {
        case 0: break  // valid
        case 1:  // flip bytes
            for _ in 0..<(1 + Int(rng.next() % 6)) where !bytes.isEmpty {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
        case 2:  // insert structural pieces
            for _ in 0..<(1 + Int(rng.next() % 5)) {
                let p = Array(pieces[Int(rng.next() % UInt64(pieces.count))].utf8)
                bytes.insert(contentsOf: p, at: Int(rng.next() % UInt64(bytes.count + 1)))
            }
        case 3:  // truncate
            bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
        case 4:  // random bytes
            bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        default:  // nesting
            let depth = Int(rng.next() % 5000)
            text = String(repeating: "[", count: depth) + text + String(repeating: "]", count: Int(rng.next() % UInt64(depth + 1)))
            bytes = Array(text.utf8)
        }
        return bytes
    }
}
