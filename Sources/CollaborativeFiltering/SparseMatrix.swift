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
        var counts = [Int](repeating: 0, count: rows + 1)
        for t in triplets where Int(t.row) < rows && Int(t.column) < columns && t.row >= 0 && t.column >= 0 {
            counts[Int(t.row) + 1] += 1
        }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var cursor = counts
        var cols = [Int32](repeating: 0, count: counts[rows])
        var vals = [Float](repeating: 0, count: counts[rows])
        for t in triplets where Int(t.row) < rows && Int(t.column) < columns && t.row >= 0 && t.column >= 0 {
            let at = cursor[Int(t.row)]
            cols[at] = t.column
            vals[at] = t.value
            cursor[Int(t.row)] += 1
        }
        // Sort each row by column and sum duplicates.
        var indptr = [0]
        var outCols: [Int32] = []
        var outVals: [Float] = []
        outCols.reserveCapacity(cols.count)
        outVals.reserveCapacity(cols.count)
        for r in 0..<rows {
            let lo = counts[r], hi = counts[r + 1]
            let order = (lo..<hi).sorted { cols[$0] != cols[$1] ? cols[$0] < cols[$1] : $0 < $1 }
            for k in order {
                if let last = outCols.last, outCols.count > indptr[r], last == cols[k] {
                    outVals[outVals.count - 1] += vals[k]
                } else {
                    outCols.append(cols[k])
                    outVals.append(vals[k])
                }
            }
            indptr.append(outCols.count)
        }
        self.init(rows: rows, columns: columns, indptr: indptr, indices: outCols, values: outVals)
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
