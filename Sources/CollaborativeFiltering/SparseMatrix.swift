/// A compressed sparse row matrix of Float32 (users × items). Built from (row, column, value)
/// triplets, duplicates summed, columns sorted within each row: the same input always gives the
/// same matrix. No dense rows×columns storage anywhere.
public struct SparseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row r's entries are `indptr[r]..<indptr[r + 1]`.
    public let indptr: [Int]
    public let indices: [Int32]
    public let values: [Float]

    public var nonZeros: Int { indices.count }

    public init(rows: Int, columns: Int, indptr: [Int], indices: [Int32], values: [Float]) {
        self.rows = rows
        self.columns = columns
        self.indptr = indptr
        self.indices = indices
        self.values = values
    }

    /// From triplets; entries outside the shape are ignored, duplicates summed.
    public init(rows: Int, columns: Int, triplets: [(row: Int32, column: Int32, value: Float)]) {
        self.init(rows: rows, columns: columns) { emit in
            for t in triplets { emit(t.row, t.column, t.value) }
        }
    }

    /// From entries that `entries` hands to its argument — called twice (count, then fill), and
    /// it must hand out the same entries both times — so no triplet array is ever held: memory
    /// is the CSR itself (8 bytes per entry) plus 8 bytes per row. Entries outside the shape are
    /// ignored, duplicates summed, columns sorted within each row (ties in input order).
    public init(rows: Int, columns: Int, entries: ((Int32, Int32, Float) -> Void) -> Void) {
        let rows = max(0, rows), columns = max(0, columns)
        func inside(_ r: Int32, _ c: Int32) -> Bool { r >= 0 && Int(r) < rows && c >= 0 && Int(c) < columns }
        var counts = [Int](repeating: 0, count: rows + 1)
        entries { r, c, _ in if inside(r, c) { counts[Int(r) + 1] += 1 } }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var cursor = counts
        var cols = [Int32](repeating: 0, count: counts[rows])
        var vals = [Float](repeating: 0, count: counts[rows])
        entries { r, c, v in
            guard inside(r, c) else { return }
            let at = cursor[Int(r)]
            // A second pass with more entries than the first is the caller's bug; drop the extra.
            guard at < counts[Int(r) + 1] else { return }
            cols[at] = c
            vals[at] = v
            cursor[Int(r)] = at + 1
        }
        // Sort each row by column and sum duplicates, compacting in place (a row's output never
        // passes its input's start).
        var indptr = [Int](repeating: 0, count: rows + 1)
        var out = 0
        var order: [Int] = []
        var rowCols: [Int32] = [], rowVals: [Float] = []
        for r in 0..<rows {
            let lo = counts[r], hi = cursor[r]
            order = Array(lo..<hi)
            order.sort { cols[$0] != cols[$1] ? cols[$0] < cols[$1] : $0 < $1 }
            rowCols = order.map { cols[$0] }
            rowVals = order.map { vals[$0] }
            let start = out
            for k in rowCols.indices {
                if out > start, cols[out - 1] == rowCols[k] {
                    vals[out - 1] += rowVals[k]
                } else {
                    cols[out] = rowCols[k]
                    vals[out] = rowVals[k]
                    out += 1
                }
            }
            indptr[r + 1] = out
        }
        cols.removeLast(cols.count - out)
        vals.removeLast(vals.count - out)
        self.init(rows: rows, columns: columns, indptr: indptr, indices: cols, values: vals)
    }

    /// The matrix of the given rows only, in the given order (row k of the result is row
    /// `selection[k]` here); rows out of range are empty.
    public func selectingRows(_ selection: [Int]) -> SparseMatrix {
        var indptr = [0]
        var cols: [Int32] = []
        var vals: [Float] = []
        indptr.reserveCapacity(selection.count + 1)
        for r in selection {
            if r >= 0 && r < rows {
                cols.append(contentsOf: indices[self.indptr[r]..<self.indptr[r + 1]])
                vals.append(contentsOf: values[self.indptr[r]..<self.indptr[r + 1]])
            }
            indptr.append(cols.count)
        }
        return SparseMatrix(rows: selection.count, columns: columns, indptr: indptr, indices: cols, values: vals)
    }

    /// The transpose (items × users).
    public func transposed() -> SparseMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for c in indices { counts[Int(c) + 1] += 1 }
        for c in 0..<columns { counts[c + 1] += counts[c] }
        var cursor = counts
        var cols = [Int32](repeating: 0, count: nonZeros)
        var vals = [Float](repeating: 0, count: nonZeros)
        for r in 0..<rows {
            for k in indptr[r]..<indptr[r + 1] {
                let c = Int(indices[k])
                cols[cursor[c]] = Int32(r)
                vals[cursor[c]] = values[k]
                cursor[c] += 1
            }
        }
        return SparseMatrix(rows: columns, columns: rows, indptr: counts, indices: cols, values: vals)
    }

    /// Row r's (column, value) entries.
    public func row(_ r: Int) -> [(Int32, Float)] {
        (indptr[r]..<indptr[r + 1]).map { (indices[$0], values[$0]) }
    }

    /// The matrix with every value multiplied by `factor`.
    public func scaled(by factor: Float) -> SparseMatrix {
        mapValues { $0 * factor }
    }

    /// The matrix with `transform` applied to every stored value.
    public func mapValues(_ transform: (Float) -> Float) -> SparseMatrix {
        SparseMatrix(rows: rows, columns: columns, indptr: indptr, indices: indices, values: values.map(transform))
    }
}
