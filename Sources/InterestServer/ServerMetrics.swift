import Foundation
import Synchronization

/// The service's counters, rendered in Prometheus's text format by `GET /metrics`: requests by
/// route, method and status; request latency histograms by route; events ingested by outcome;
/// and (read at render time) the stored model versions.
final class ServerMetrics: Sendable {
    /// Latency histogram bucket bounds, seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct RequestKey: Hashable, Comparable {
        let route: String
        let method: String
        let status: Int

        static func < (a: RequestKey, b: RequestKey) -> Bool { (a.route, a.method, a.status) < (b.route, b.method, b.status) }
    }

    private struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var total = 0
        var sum = 0.0
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var latency: [String: Histogram] = [:]
        var events: [String: Int] = ["inserted": 0, "duplicate": 0, "updated": 0, "rejected": 0]
        var inFlight = 0
    }

    private let state = Mutex(State())
    private let started = Date()

    func begin() {
        state.withLock { $0.inFlight += 1 }
    }

    /// Records one answered request.
    func record(route: String, method: String, status: Int, seconds: Double) {
        let bucket = Self.buckets.firstIndex { seconds <= $0 }
        state.withLock { s in
            s.inFlight -= 1
            s.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            var h = s.latency[route] ?? Histogram()
            if let bucket { h.counts[bucket] += 1 }
            h.total += 1
            h.sum += seconds
            s.latency[route] = h
        }
    }

    func recordEvents(inserted: Int, duplicates: Int, updated: Int, rejected: Int) {
        state.withLock { s in
            s.events["inserted", default: 0] += inserted
            s.events["duplicate", default: 0] += duplicates
            s.events["updated", default: 0] += updated
            s.events["rejected", default: 0] += rejected
        }
    }

    /// One route's answers so far: how many, their mean time and the histogram's bounds that
    /// hold the median and the 95th percentile (an upper bound on each, in seconds; nil past
    /// the last bucket).
    struct RouteLatency: Sendable, Equatable {
        let route: String
        let count: Int
        let meanSeconds: Double
        let p50Seconds: Double?
        let p95Seconds: Double?
    }

    /// What the console's shop page shows: uptime, events by outcome, each route's latency.
    struct Snapshot: Sendable {
        let uptimeSeconds: Double
        let events: [String: Int]
        let routes: [RouteLatency]
    }

    func snapshot() -> Snapshot {
        let s = state.withLock { $0 }
        let routes = s.latency.sorted { $0.key < $1.key }.map { route, h in
            RouteLatency(route: route, count: h.total, meanSeconds: h.total > 0 ? h.sum / Double(h.total) : 0,
                         p50Seconds: Self.quantileBound(h, 0.5), p95Seconds: Self.quantileBound(h, 0.95))
        }
        return Snapshot(uptimeSeconds: Date().timeIntervalSince(started), events: s.events, routes: routes)
    }

    /// The upper bound of the bucket holding quantile `q` (nil: beyond the last bucket, or no answers).
    private static func quantileBound(_ h: Histogram, _ q: Double) -> Double? {
        guard h.total > 0 else { return nil }
        let rank = Int((q * Double(h.total)).rounded(.up))
        var cumulative = 0
        for (k, bound) in buckets.enumerated() {
            cumulative += h.counts[k]
            if cumulative >= rank { return bound }
        }
        return nil
    }

    /// A metric's HELP and TYPE lines.
    private static func header(_ name: String, _ type: String, _ help: String) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    /// The Prometheus text exposition (format 0.0.4).
    func render(modelVersions: [String: Int]) -> String {
        let s = state.withLock { $0 }
        var out = ""
        out += Self.header("interests_http_requests_total", "counter", "HTTP requests answered, by route template, method and status.")
        for (k, n) in s.requests.sorted(by: { $0.key < $1.key }) {
            out += "interests_http_requests_total{route=\"\(Self.escape(k.route))\",method=\"\(k.method)\",status=\"\(k.status)\"} \(n)\n"
        }
        out += Self.header("interests_http_request_duration_seconds", "histogram", "Time to produce the answer, by route template.")
        for (route, h) in s.latency.sorted(by: { $0.key < $1.key }) {
            let r = Self.escape(route)
            var cumulative = 0
            for (k, bound) in Self.buckets.enumerated() {
                cumulative += h.counts[k]
                out += "interests_http_request_duration_seconds_bucket{route=\"\(r)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "interests_http_request_duration_seconds_bucket{route=\"\(r)\",le=\"+Inf\"} \(h.total)\n"
            out += "interests_http_request_duration_seconds_sum{route=\"\(r)\"} \(h.sum)\n"
            out += "interests_http_request_duration_seconds_count{route=\"\(r)\"} \(h.total)\n"
        }
        out += Self.header("interests_http_requests_in_flight", "gauge", "Requests being answered now.")
        out += "interests_http_requests_in_flight \(max(0, s.inFlight))\n"
        out += Self.header("interests_events_ingested_total", "counter", "Events received by POST /v1/events, by outcome.")
        for (outcome, n) in s.events.sorted(by: { $0.key < $1.key }) {
            out += "interests_events_ingested_total{outcome=\"\(outcome)\"} \(n)\n"
        }
        out += Self.header("interests_model_version", "gauge", "The newest stored version of each model kind.")
        for (kind, v) in modelVersions.sorted(by: { $0.key < $1.key }) {
            out += "interests_model_version{kind=\"\(Self.escape(kind))\"} \(v)\n"
        }
        out += Self.header("interests_uptime_seconds", "gauge", "Seconds since the service started.")
        out += "interests_uptime_seconds \(Date().timeIntervalSince(started))\n"
        return out
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
