import EventFormat
import InterestCore
import Testing

@Suite struct TimestampTests {
    func ts(_ value: String) -> Int64? {
        let out = parseJSONL("{\"type\":\"query\",\"user\":\"u\",\"text\":\"x\",\"ts\":\(value)}")
        if case .query(let q)? = out.events.first { return q.timestamp }
        return nil
    }

    @Test func isoFormsKnownAnswers() {
        // 2024-05-01T12:00:00Z = 1714564800 (date -u -d 2024-05-01T12:00:00Z +%s)
        #expect(ts("\"2024-05-01T12:00:00Z\"") == 1_714_564_800)
        #expect(ts("\"2024-05-01 12:00:00\"") == 1_714_564_800)
        #expect(ts("\"2024-05-01T12:00\"") == 1_714_564_800)
        #expect(ts("\"2024-05-01T12:00:00.999Z\"") == 1_714_564_800)
        #expect(ts("\"2024-05-01T14:00:00+02:00\"") == 1_714_564_800)
        #expect(ts("\"2024-05-01T07:00:00-0500\"") == 1_714_564_800)
        #expect(ts("\"2024-05-01\"") == 1_714_521_600)
        #expect(ts("\"2024-02-29\"") == 1_709_164_800)
    }

    @Test func numericForms() {
        #expect(ts("1714564800") == 1_714_564_800)
        #expect(ts("1714564800.75") == 1_714_564_800)
        #expect(ts("\"1714564800\"") == 1_714_564_800)
        #expect(ts("1.7145648e9") == 1_714_564_800)
    }

    /// Time bounds (the service's `since`): Unix seconds or RFC 3339, any year, nothing looser.
    @Test func boundsKnownAnswers() throws {
        #expect(try TimestampParser.parseBound("1714564800") == 1_714_564_800)
        #expect(try TimestampParser.parseBound("-5") == -5)
        #expect(try TimestampParser.parseBound("0") == 0)
        #expect(try TimestampParser.parseBound("2024-05-01") == 1_714_521_600)
        #expect(try TimestampParser.parseBound("2024-05-01T14:00:00+02:00") == 1_714_564_800)
        #expect(try TimestampParser.parseBound("2024-05-01t12:00:00.999z") == 1_714_564_800)
        // 1969-12-31 is one day before the epoch; no plausibility range for a bound.
        #expect(try TimestampParser.parseBound("1969-12-31") == -86_400)
        for text in ["", " 2024-05-01", "2024-05-01 12:00:00Z", "2024-05-01T12:00", "2024-05-01T12:00:00", "2024-05-01T12:00:00+0200",
                     "2024-05-01T24:00:00Z", "2023-02-29", "1e9", "1.5", "+5", "1234567890123456789", "2024-05-01T12:00:00Zx"] {
            #expect(throws: EventFormatError.self, "\(text)") { try TimestampParser.parseBound(text) }
        }
    }
}
