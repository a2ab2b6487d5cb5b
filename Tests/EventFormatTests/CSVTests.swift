import EventFormat
import InterestCore
import Testing

@Suite struct CSVTests {
    @Test func quotedFieldsCommasQuotesAndNewlines() throws {
        let out = try parseCSV("""
            type,user,item,rating,text,ts
            review,u1,B1,5,"Great, really ""great""\nsecond line",1700000000
            review,u2,B1,4,plain,2023-11-14T22:13:20Z
            """)
        #expect(out.rejections.isEmpty)
        #expect(out.events == [
            .review(Review(user: "u1", item: "B1", rating: 5, text: "Great, really \"great\"\nsecond line", timestamp: 1_700_000_000)),
            .review(Review(user: "u2", item: "B1", rating: 4, text: "plain", timestamp: 1_700_000_000)),
        ])
    }

    @Test func lineNumbersCountPhysicalLinesAndCRLF() throws {
        let text = "\u{FEFF}type,user,text,ts\r\nquery,u,\"a\r\nb\",1700000000\r\nquery,u,,1700000000\r\nquery,u,ok,1700000001\r\n"
        let out = try parseCSV(text)
        #expect(out.events.count == 2)
        if case .query(let q)? = out.events.first { #expect(q.text == "a\r\nb") }
        #expect(out.rejections.map(\.line) == [4])
    }

    @Test func structuralErrorsAreReported() throws {
        let out = try parseCSV("""
            type,user,text,ts
            query,u,too,many,fields
            query,u,bad"quote,1700000000
            query,u,"unterminated,1700000000
            """)
        #expect(out.rejections.map(\.error) == [.csvFieldCount(expected: 4, found: 5), .csvStrayQuote(column: 12), .csvUnterminatedQuote])
    }

    @Test func headerProblems() {
        #expect(throws: EventFormatError.csvHeaderMissing) { try parseCSV("\ntype\n") }
        #expect(throws: EventFormatError.self) { try parseCSV("type,user,user\nquery,u,v\n") }
    }

    @Test func recordBoundaryRespectsQuotes() {
        let text = Array("a,\"x\ny\"\nb,\"open\n".utf8)
        let cut = text.withUnsafeBytes { RecordBoundary.lastCompleteRecordEnd($0, format: .csv) }
        #expect(cut == 8)
        let jl = Array("{}\n{\"a\"".utf8)
        #expect(jl.withUnsafeBytes { RecordBoundary.lastCompleteRecordEnd($0, format: .jsonLines) } == 3)
    }
}
