/// The median of the benchmarks' timings (the lower middle one of an even count, so it is a
/// measured run).
enum Median {
    static func of(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[(sorted.count - 1) / 2]
    }
}
