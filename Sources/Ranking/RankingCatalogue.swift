import Foundation
import InterestCore
import Synchronization

/// One item's positive events per day (UTC days since 1970, `UnixDay`), as running totals:
/// what "in demand lately" counts, in O(active days) rather than O(events).
public struct DailyCounts: Sendable, Equatable {
    /// Days with events, ascending.
    public let days: [Int32]
    /// Events on or before each of `days`.
    public let cumulative: [Int32]

    public init(_ perDay: [(day: Int64, count: Int)]) {
        var days: [Int32] = []
        var cumulative: [Int32] = []
        var total: Int32 = 0
        for (day, n) in perDay.sorted(by: { $0.day < $1.day }) where n > 0 {
            let d = Int32(clamping: day)
            total = total.addingReportingOverflow(Int32(clamping: n)).overflow ? Int32.max : total + Int32(clamping: n)
            if days.last == d {
                cumulative[cumulative.count - 1] = total
            } else {
                days.append(d)
                cumulative.append(total)
            }
        }
        self.days = days
        self.cumulative = cumulative
    }

    /// From days already ascending and distinct (as `item_day` is read), with their counts;
    /// anything else goes through the sorting initialiser.
    public init(ascendingDays days: [Int64], counts: [Int]) {
        guard days.count == counts.count, zip(days, days.dropFirst()).allSatisfy({ $0 < $1 }), counts.allSatisfy({ $0 > 0 }),
              (days.first ?? 0) > Int64(Int32.min), (days.last ?? 0) < Int64(Int32.max) else {
            self.init(zip(days, counts).map { ($0, $1) })
            return
        }
        var cumulative = [Int32](repeating: 0, count: counts.count)
        var total: Int32 = 0
        for (k, n) in counts.enumerated() {
            let (sum, overflow) = total.addingReportingOverflow(Int32(clamping: n))
            total = overflow ? Int32.max : sum
            cumulative[k] = total
        }
        self.init(days: days.map { Int32(clamping: $0) }, cumulative: cumulative)
    }

    private init(days: [Int32], cumulative: [Int32]) {
        self.days = days
        self.cumulative = cumulative
    }

    /// From event times (seconds since 1970).
    public init(times: [Int64]) {
        var perDay: [Int64: Int] = [:]
        for t in times { perDay[UnixDay.of(t), default: 0] += 1 }
        self.init(perDay.map { ($0.key, $0.value) })
    }

    public static let empty = DailyCounts([])

    /// Events on days in [first, last].
    public func count(from first: Int64, through last: Int64) -> Int {
        Int(total(through: last) - total(through: first - 1))
    }

    private func total(through day: Int64) -> Int32 {
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int64(days[mid]) <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? 0 : cumulative[lo - 1]
    }
}

/// What the ranker knows about the catalogue, rows aligned: item vectors (unit or zero), CF item
/// factors (zero rows for items without) and their unit directions, standardised popularity, and
/// each item's positive events per day for popularity at a user's time.
public struct RankingCatalogue: Sendable {
    public let count: Int
    public let textDimension: Int
    public let itemVectors: [Float]
    public let cfFactors: Int
    public let cfItems: [Float]
    public let cfDirections: [Float]
    public let popularity: [Float]
    public let activity: [DailyCounts]
    /// The sequence model's item table E (count × sequenceDimension; zero rows for items it
    /// cannot place), 0 wide without a sequence model.
    public let sequenceDimension: Int
    public let sequenceItems: [Float]
    /// Days "lately" covers: the user's day and the 29 before it.
    public static let recentDays: Int64 = 30

    public init(count: Int, textDimension: Int, itemVectors: [Float], cfFactors: Int, cfItems: [Float], popularity: [Float], activity: [DailyCounts],
                sequenceDimension: Int = 0, sequenceItems: [Float] = []) {
        self.count = count
        let sequenceFits = sequenceDimension > 0 && sequenceItems.count == count * sequenceDimension
        self.sequenceDimension = sequenceFits ? sequenceDimension : 0
        self.sequenceItems = sequenceFits ? sequenceItems : []
        self.textDimension = textDimension
        self.itemVectors = itemVectors.count == count * textDimension ? itemVectors : [Float](repeating: 0, count: count * textDimension)
        self.cfFactors = cfFactors
        let cf = cfItems.count == count * cfFactors ? cfItems : [Float](repeating: 0, count: count * cfFactors)
        self.cfItems = cf
        var directions = cf
        if cfFactors > 0 {
            directions.withUnsafeMutableBufferPointer { p in
                guard let b = p.baseAddress else { return }
                for i in 0..<count { _ = VectorMath.normalize(b + i * cfFactors, cfFactors) }
            }
        }
        cfDirections = directions
        self.popularity = popularity.count == count ? popularity : [Float](repeating: 0, count: count)
        self.activity = activity.count == count ? activity : [DailyCounts](repeating: .empty, count: count)
        dayMajor = DayMajorActivity(self.activity)
    }

    /// The catalogue with each item's positive-event times (seconds) instead of daily counts.
    public init(count: Int, textDimension: Int, itemVectors: [Float], cfFactors: Int, cfItems: [Float], popularity: [Float], eventTimes: [[Int64]]) {
        self.init(count: count, textDimension: textDimension, itemVectors: itemVectors, cfFactors: cfFactors, cfItems: cfItems,
                  popularity: popularity, activity: eventTimes.map { DailyCounts(times: $0) })
    }

    /// log(1 + n) standardised over the catalogue.
    public static func standardisedLogCounts(_ counts: [Int]) -> [Float] {
        var v = counts.map { Float(log1p(Double($0))) }
        standardise(&v)
        return v
    }

    /// Standardised log counts of each item's positive events in the 30 days up to and
    /// including the day (UTC) of `time`. Days are memoised: users active on the same day share
    /// one vector.
    public func recentPopularity(at time: Int64?) -> [Float] {
        guard let time else { return [Float](repeating: 0, count: count) }
        let day = UnixDay.of(time)
        if let hit = recentByDay.value(day) { return hit }
        let first = day - Self.recentDays + 1
        let v = Self.standardisedLogCounts(dayMajor?.counts(from: first, through: day, items: count)
                                           ?? activity.map { $0.count(from: first, through: day) })
        recentByDay.store(day, v)
        return v
    }

    /// Gives the catalogue every item's positive events in the `recentDays` window ending on
    /// `day` (catalogue rows), for a catalogue built without daily activity: a one-shot process
    /// reads only the window its one user needs. `recentPopularity(at:)` answers that day from
    /// these counts; a day never given (and not in `activity`) has no recent popularity (zeros).
    public func rememberRecentCounts(day: Int64, counts: [Int]) {
        guard counts.count == count else { return }
        recentByDay.store(day, Self.standardisedLogCounts(counts))
    }

    /// Whether `recentPopularity(at:)` already knows the day of `time`.
    public func knowsRecentPopularity(at time: Int64) -> Bool {
        recentByDay.value(UnixDay.of(time)) != nil
    }

    private let recentByDay = DayMemo<[Float]>()
    /// The same counts by day, so a new day's window costs its entries, not a search per item.
    private let dayMajor: DayMajorActivity?
}

/// Per-day recent-popularity vectors, shared by every copy of a catalogue (bounded).
final class DayMemo<Value: Sendable>: Sendable {
    private let table = Mutex<[Int64: Value]>([:])
    static var limit: Int { 512 }

    func value(_ day: Int64) -> Value? { table.withLock { $0[day] } }

    func store(_ day: Int64, _ v: Value) {
        table.withLock { t in
            if t.count >= Self.limit { t.removeAll(keepingCapacity: true) }
            t[day] = v
        }
    }
}
