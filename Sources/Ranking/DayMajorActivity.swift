/// The catalogue's daily counts turned day-major: for each day, the items with events that day
/// and how many. A 30-day window's count of every item is then the sum of 30 days' entries —
/// O(item-days in the window + items) — instead of two binary searches in every item's days
/// (O(items · log days)), which made each first request of a new day cost ~10 ms at 100,000
/// items. Built in two passes over the daily counts: O(item-days) time, 8 bytes an item-day.
struct DayMajorActivity: Sendable {
    let firstDay: Int64
    /// Entries of day firstDay + d: offsets[d]..<offsets[d + 1].
    let offsets: [Int]
    let items: [Int32]
    let counts: [Int32]

    /// Widest day range indexed (~270 years); wider activity is left to the per-item path.
    static let maxDays: Int64 = 100_000

    init?(_ activity: [DailyCounts]) {
        var lo = Int64.max, hi = Int64.min
        var entries = 0
        for a in activity where !a.days.isEmpty {
            lo = min(lo, Int64(a.days[0]))
            hi = max(hi, Int64(a.days[a.days.count - 1]))
            entries += a.days.count
        }
        guard entries > 0, hi - lo < Self.maxDays, activity.count <= Int(Int32.max) else { return nil }
        let span = Int(hi - lo) + 1
        var offsets = [Int](repeating: 0, count: span + 1)
        for a in activity { for d in a.days { offsets[Int(Int64(d) - lo) + 1] += 1 } }
        for d in 0..<span { offsets[d + 1] += offsets[d] }
        var fill = offsets
        var items = [Int32](repeating: 0, count: entries)
        var counts = [Int32](repeating: 0, count: entries)
        for (row, a) in activity.enumerated() {
            var before: Int32 = 0
            for (k, d) in a.days.enumerated() {
                let slot = Int(Int64(d) - lo)
                items[fill[slot]] = Int32(row)
                // The day's own events: the difference of running totals (so window sums
                // telescope to exactly what `DailyCounts.count(from:through:)` answers).
                counts[fill[slot]] = a.cumulative[k] &- before
                before = a.cumulative[k]
                fill[slot] += 1
            }
        }
        firstDay = lo
        self.offsets = offsets
        self.items = items
        self.counts = counts
    }

    /// Every item's events on days first…last (items rows, `n` of them).
    func counts(from first: Int64, through last: Int64, items n: Int) -> [Int] {
        var out = [Int](repeating: 0, count: n)
        let span = Int64(offsets.count - 1)
        let a = max(first - firstDay, 0), b = min(last - firstDay, span - 1)
        guard a <= b else { return out }
        for d in Int(a)...Int(b) {
            for e in offsets[d]..<offsets[d + 1] where Int(items[e]) < n { out[Int(items[e])] += Int(counts[e]) }
        }
        return out
    }
}
