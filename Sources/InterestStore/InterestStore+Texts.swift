import GRDB

extension InterestStore {
    /// Every text in the database — item titles and descriptions, reviews, queries — handed to
    /// `body` in batches, in one read transaction (a consistent snapshot). Returns the count.
    @discardableResult
    public func forEachText(batchSize: Int = 50_000, _ body: ([String]) throws -> Void) throws(StoreError) -> Int {
        try read("reading texts") { db -> Int in
            try withoutActuallyEscaping(body) { body in
                var batches = TextBatches(size: batchSize, body)
                for sql in [
                    "SELECT title FROM item WHERE title IS NOT NULL",
                    "SELECT text FROM item WHERE text IS NOT NULL",
                    "SELECT text FROM review",
                    "SELECT text FROM query",
                ] {
                    let cursor = try String.fetchCursor(db, sql: sql)
                    while let text = try cursor.next() { try batches.append(text) }
                }
                try batches.flush()
                return batches.total
            }
        }
    }

    /// Whether the database holds any text (an item title or description, a review, a query):
    /// three indexed existence checks.
    public func hasText() throws(StoreError) -> Bool {
        try read("checking for texts") { db -> Bool in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS(SELECT 1 FROM review) OR EXISTS(SELECT 1 FROM query)
                    OR EXISTS(SELECT 1 FROM item WHERE title IS NOT NULL OR text IS NOT NULL)
                """) ?? false
        }
    }
}
