import InterestCore

/// Sums of vectors by key (an item's review sum, a user's text sum), added in the order given —
/// so both backends, adding the same vectors in the same order, store the same bytes. A vector
/// whose length differs from the key's first is left out (it belongs to another encoder).
struct VectorSums<Key: Hashable> {
    private(set) var sums: [Key: (sum: [Float], count: Int)] = [:]

    mutating func add(_ key: Key, _ vector: [Float]) {
        if let index = sums.index(forKey: key) {
            guard sums.values[index].sum.count == vector.count else { return }
            sums.values[index].sum.add(vector)
            sums.values[index].count += 1
        } else {
            sums[key] = (vector, 1)
        }
    }

    subscript(key: Key) -> (sum: [Float], count: Int)? { sums[key] }
}

/// Texts handed to a reader's body in batches of `size` (`forEachText` on both backends).
struct TextBatches {
    let size: Int
    let body: ([String]) throws -> Void
    private var batch: [String] = []
    private(set) var total = 0

    init(size: Int, _ body: @escaping ([String]) throws -> Void) {
        self.size = size
        self.body = body
        batch.reserveCapacity(max(0, size))
    }

    mutating func append(_ text: String) throws {
        batch.append(text)
        if batch.count >= size { try flush() }
    }

    mutating func flush() throws {
        guard !batch.isEmpty else { return }
        try body(batch)
        total += batch.count
        batch.removeAll(keepingCapacity: true)
    }
}
