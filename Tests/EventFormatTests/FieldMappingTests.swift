import EventFormat
import InterestCore
import Testing

@Suite struct FieldMappingTests {
    static let amazon = "user=reviewerID,item=asin,rating=overall,ts=unixReviewTime,text=summary+reviewText"

    @Test func anAmazonDumpLineIngestsWithAMappingAlone() throws {
        let line = #"{"overall": 5.0, "verified": true, "reviewTime": "09 1, 2016", "reviewerID": "A3CIUOJXQ5VDQ2", "asin": "B0000530HU", "style": {"Size:": " 7.0 oz", "Flavor:": " Classic Ice Blue"}, "reviewerName": "Shelly F", "reviewText": "As advertised. Reasonably priced", "summary": "Five Stars", "unixReviewTime": 1472688000}"#
        let config = EventParserConfiguration(mapping: try FieldMapping(parsing: Self.amazon), defaultType: .review)
        let out = parseJSONL(line, config)
        #expect(out.events == [.review(Review(user: "A3CIUOJXQ5VDQ2", item: "B0000530HU", rating: 5,
                                              text: "Five Stars. As advertised. Reasonably priced", timestamp: 1_472_688_000))])
    }

    @Test func joinedTextSkipsMissingParts() throws {
        let config = EventParserConfiguration(mapping: try FieldMapping(parsing: Self.amazon), defaultType: .review)
        let out = parseJSONL(#"{"reviewerID":"A","asin":"B","overall":4,"unixReviewTime":1472688000,"reviewText":"only body"}"#, config)
        if case .review(let r)? = out.events.first { #expect(r.text == "only body") } else { Issue.record("\(out.rejections)") }
        let none = parseJSONL(#"{"reviewerID":"A","asin":"B","overall":4,"unixReviewTime":1472688000}"#, config)
        if case .missingField(field: "text", _, _)? = none.rejections.first?.error {} else { Issue.record("\(none.rejections)") }
    }

    @Test func aMissingMappedFieldNamesItsSource() throws {
        let config = EventParserConfiguration(mapping: try FieldMapping(parsing: "user=reviewerID"), defaultType: .query)
        let out = parseJSONL(#"{"user":"u","text":"x","ts":1700000000}"#, config)
        #expect(out.rejections.first?.error == .missingField(field: "user", type: .query, hint: "expected it in field 'reviewerID'"))
    }

    @Test func badSpecsAreExplained() {
        for spec in ["user", "nope=x", "user=a,user=b", "user=", "user=a+b", "=x"] {
            #expect(throws: EventFormatError.self, "\(spec)") { try FieldMapping(parsing: spec) }
        }
    }
}
