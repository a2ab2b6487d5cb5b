import GRDB
import GRDBSQLite
import InterestCore

/// A thin wrapper over a prepared statement's raw handle for the ingest hot path: binds and
/// steps through the SQLite C API with no per-row allocation. The statement itself is prepared
/// and cached by GRDB (`Database.cachedStatement`), so its lifetime is GRDB's.
struct RawStatement {
    let handle: OpaquePointer
    let connection: OpaquePointer

    init(_ db: Database, _ sql: String) throws {
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        guard let c = db.sqliteConnection else {
            throw StoreError.sqlite(operation: "preparing '\(sql.prefix(40))'", message: "the connection is closed")
        }
        connection = c
    }

    @inline(__always) func reset() {
        sqlite3_reset(handle)
    }

    @inline(__always) func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        if let done = value.utf8.withContiguousStorageIfAvailable({ buf -> Bool in
            bindText(index, buf)
            return true
        }), done {
            return
        }
        var copy = value
        copy.withUTF8 { buf in
            bindText(index, buf)
        }
    }

    @inline(__always) private func bindText(_ index: Int32, _ buf: UnsafeBufferPointer<UInt8>) {
        guard let base = buf.baseAddress, buf.count > 0 else {
            sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: buf.count) { chars in
            _ = sqlite3_bind_text(handle, index, chars, Int32(buf.count), sqliteTransient)
        }
    }

    @inline(__always) func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    @inline(__always) func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    @inline(__always) func bind(_ index: Int32, _ key: EventKey) {
        withUnsafeBytes(of: (key.high.bigEndian, key.low.bigEndian)) { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress, 16, sqliteTransient)
        }
    }

    @inline(__always) func bind(_ index: Int32, _ blob: [UInt8]?) {
        guard let blob else {
            sqlite3_bind_null(handle, index)
            return
        }
        blob.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), sqliteTransient)
        }
    }

    /// Column `column` of the current row as bytes (nil for NULL).
    func blob(column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        let n = Int(sqlite3_column_bytes(handle, column))
        guard n > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: n))
    }

    /// The length in bytes of column `column` (0 for NULL).
    func byteCount(column: Int32) -> Int {
        Int(sqlite3_column_bytes(handle, column))
    }

    /// Decodes column `column` (little-endian Float32s) into `out[0..<count]`; false when the
    /// column is NULL or not exactly `count` floats long (then `out` is untouched).
    func floats(column: Int32, into out: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, Int(sqlite3_column_bytes(handle, column)) == count * 4,
              let p = sqlite3_column_blob(handle, column) else { return false }
        LittleEndianFloats.load(UnsafeRawBufferPointer(start: p, count: count * 4), offset: 0, count: count, into: out)
        return true
    }

    /// Column `column` of the current row as text (nil for NULL).
    func text(column: Int32) -> String? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let p = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }

    /// Steps once; returns true when a row is available, false when done.
    @discardableResult
    @inline(__always) func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let message = String(cString: sqlite3_errmsg(connection))
        sqlite3_reset(handle)
        throw StoreError.sqlite(operation: "stepping a statement", message: message)
    }

    @inline(__always) func int64(column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    @inline(__always) func double(column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    /// Column `column` as a Double, nil for NULL.
    @inline(__always) func optionalDouble(column: Int32) -> Double? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
    }

    /// Rows changed by the last statement on the connection.
    @inline(__always) var changes: Int32 { sqlite3_changes(connection) }

    @inline(__always) var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(connection) }
}

/// SQLITE_TRANSIENT: SQLite copies the bound bytes before the call returns.
@inline(__always) var sqliteTransient: sqlite3_destructor_type {
    unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}

extension Database {
    /// Runs `sql(marks)` for `values` in parts of at most 500 (SQLite's bound-parameter limit is
    /// higher, but long IN lists plan badly), `marks` being that part's "?,?,…", and hands every
    /// row to `each`.
    func forEachRow(in values: [String], _ sql: (String) -> String, _ each: (Row) throws -> Void) throws {
        var start = 0
        while start < values.count {
            let part = Array(values[start..<min(start + 500, values.count)])
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            for row in try Row.fetchAll(self, sql: sql(marks), arguments: StatementArguments(part)) { try each(row) }
            start += 500
        }
    }
}
