import EventFormat
import InterestCore
import Testing

@Suite struct EventValidationTests {
    @Test func missingAndMistypedFields() {
        #expect(rejection(#"{"user":"u","text":"x","ts":1700000000}"#) == .missingField(field: "type", type: nil, hint: "add a type field or pass --type review|query|interaction|item"))
        if case .missingField(field: "user", type: .review, _)? = rejection(#"{"type":"review","item":"i","text":"x","ts":1700000000}"#) {} else { Issue.record("user") }
        if case .missingField(field: "item", type: .interaction, _)? = rejection(#"{"type":"interaction","user":"u","action":"view","ts":1700000000}"#) {} else { Issue.record("item") }
        if case .missingField(field: "text", type: .query, _)? = rejection(#"{"type":"query","user":"u","ts":1700000000}"#) {} else { Issue.record("text") }
        if case .missingField(field: "ts", type: .query, _)? = rejection(#"{"type":"query","user":"u","text":"x"}"#) {} else { Issue.record("ts") }
        if case .missingField(field: "action", _, _)? = rejection(#"{"type":"interaction","user":"u","item":"i","ts":1700000000}"#) {} else { Issue.record("action") }
        #expect(rejection(#"{"type":"query","user":{"id":1},"text":"x","ts":1700000000}"#) == .wrongType(field: "user", expected: "a string or an integer", found: "an object"))
        #expect(rejection(#"{"type":"query","user":"u","text":5,"ts":1700000000}"#) == .wrongType(field: "text", expected: "a string", found: "a number"))
        #expect(rejection(#"{"type":"review","user":"u","item":"i","text":"x","rating":[5],"ts":1700000000}"#) == .wrongType(field: "rating", expected: "a number", found: "an array"))
        #expect(rejection(#"{"type":7,"user":"u"}"#) == .wrongType(field: "type", expected: "a string", found: "a number"))
        #expect(rejection(#"{"type":"query","user":"u","text":"x","ts":true}"#) == .wrongType(field: "ts", expected: "Unix seconds or an ISO-8601 string", found: "a boolean"))
    }

    @Test func unknownTypeAndActionNameTheValue() {
        #expect(rejection(#"{"type":"click","user":"u"}"#) == .unknownType("click"))
        #expect(rejection(#"{"type":"interaction","user":"u","item":"i","action":"like","ts":1700000000}"#) == .unknownAction("like"))
    }

    @Test func actionAliasesAndCase() {
        let out = parseJSONL("""
            {"type":"interaction","user":"u","item":"i","action":"addtocart","ts":1700000000}
            {"type":"interaction","user":"u","item":"i","action":"transaction","ts":1700000000}
            {"type":"INTERACTION","user":"u","item":"i","action":"View","ts":1700000000}
            """)
        let actions = out.events.compactMap { if case .interaction(let x) = $0 { x.action } else { nil } }
        #expect(actions == [.cart, .purchase, .view])
    }

    @Test func rateNeedsARating() {
        if case .missingField(field: "rating", _, _)? = rejection(#"{"type":"interaction","user":"u","item":"i","action":"rate","ts":1700000000}"#) {} else { Issue.record("rate without rating") }
    }

    @Test func emptyOrBlankTextIsRejected() {
        #expect(rejection(#"{"type":"query","user":"u","text":"","ts":1700000000}"#) == .emptyText(field: "text"))
        #expect(rejection(#"{"type":"review","user":"u","item":"i","text":" \n\t ","ts":1700000000}"#) == .emptyText(field: "text"))
        // Unicode whitespace beyond ASCII (no-break and ideographic spaces, line separator) is blank too.
        #expect(rejection("{\"type\":\"query\",\"user\":\"u\",\"text\":\"\u{00A0}\u{3000} \u{2028}\",\"ts\":1700000000}") == .emptyText(field: "text"))
        if case .invalidIdentifier(field: "user", _)? = rejection("{\"type\":\"query\",\"user\":\"\u{3000}\",\"text\":\"x\",\"ts\":1700000000}") {} else { Issue.record("ideographic-space id") }
        // Anything else counts, wherever it is: a control byte, a CJK character after spaces.
        #expect(rejection("{\"type\":\"query\",\"user\":\"u\",\"text\":\"\u{3000} 口\",\"ts\":1700000000}") == nil)
        #expect(rejection(#"{"type":"query","user":"u","text":" \u0001","ts":1700000000}"#) == nil)
    }

    @Test func textsHoldNoNUL() {
        // SQLite's length() stops at a NUL, so such a text would break the schema's CHECK.
        #expect(rejection(#"{"type":"query","user":"u","text":"\u0000tent","ts":1700000000}"#) == .nulInText(field: "text"))
        #expect(rejection(#"{"type":"review","user":"u","item":"i","text":"good\u0000","ts":1700000000}"#) == .nulInText(field: "text"))
        #expect(rejection(#"{"type":"item","item":"i","title":"a\u0000b"}"#) == .nulInText(field: "title"))
        #expect(rejection(#"{"type":"query","user":"u","text":"tent\u0001","ts":1700000000}"#) == nil)
    }

    @Test func identifiersMustBeUsable() {
        if case .invalidIdentifier(field: "user", _)? = rejection(#"{"type":"query","user":"  ","text":"x","ts":1700000000}"#) {} else { Issue.record("blank id") }
        if case .invalidIdentifier(field: "user", _)? = rejection(#"{"type":"query","user":"a\nb","text":"x","ts":1700000000}"#) {} else { Issue.record("control char id") }
        let long = String(repeating: "x", count: 300)
        if case .invalidIdentifier(field: "item", _)? = rejection("{\"type\":\"item\",\"item\":\"\(long)\"}") {} else { Issue.record("long id") }
        // Characters, not bytes: 256 two-byte characters are an id, 257 are not.
        #expect(rejection("{\"type\":\"item\",\"item\":\"\(String(repeating: "é", count: 256))\"}") == nil)
        if case .invalidIdentifier(field: "item", _)? = rejection("{\"type\":\"item\",\"item\":\"\(String(repeating: "é", count: 257))\"}") {} else { Issue.record("257 characters") }
        // C1 controls are control characters too (U+0085 is a line break).
        if case .invalidIdentifier(field: "user", _)? = rejection(#"{"type":"query","user":"a\u0085b","text":"x","ts":1700000000}"#) {} else { Issue.record("C1 id") }
        #expect(Identifier.problem("a\u{9F}") != nil && Identifier.problem("a\u{A0}b") == nil && Identifier.problem("\u{A0}") != nil)
        #expect(rejection(#"{"type":"query","user":1.5,"text":"x","ts":1700000000}"#) != nil)
    }

    @Test func absurdTimestampsAreRejectedWithAReason() {
        for ts in ["0", "-5", "1", "99999999999999999999", "4102444800", "\"3000-01-01T00:00:00Z\"", "\"1969-12-31\"", "1e300"] {
            let e = rejection("{\"type\":\"query\",\"user\":\"u\",\"text\":\"x\",\"ts\":\(ts)}")
            if case .timestampOutOfRange? = e {} else { Issue.record("ts \(ts): \(String(describing: e))") }
        }
        if case .timestampOutOfRange(_, let reason)? = rejection(#"{"type":"query","user":"u","text":"x","ts":1700000000000}"#) {
            #expect(reason.contains("milliseconds"))
        } else {
            Issue.record("milliseconds not detected")
        }
        for ts in ["\"yesterday\"", "\"2024-13-01\"", "\"2024-02-30\"", "\"2024-05-01T25:00\"", "\"2024-05-01T10:00:00Q\""] {
            let e = rejection("{\"type\":\"query\",\"user\":\"u\",\"text\":\"x\",\"ts\":\(ts)}")
            if case .invalidTimestamp? = e {} else { Issue.record("ts \(ts): \(String(describing: e))") }
        }
    }

    @Test func millisecondsAreAcceptedWithTheUnit() {
        let out = parseJSONL(#"{"type":"query","user":"u","text":"x","ts":1700000000123}"#, EventParserConfiguration(timestampUnit: .milliseconds))
        if case .query(let q)? = out.events.first { #expect(q.timestamp == 1_700_000_000) } else { Issue.record("\(out.rejections)") }
    }

    @Test func ratingsAreCheckedAndRescaled() {
        #expect(rejection(#"{"type":"review","user":"u","item":"i","text":"x","rating":7,"ts":1700000000}"#) != nil)
        #expect(rejection(#"{"type":"review","user":"u","item":"i","text":"x","rating":-1,"ts":1700000000}"#) != nil)
        #expect(rejection(#"{"type":"review","user":"u","item":"i","text":"x","rating":"abc","ts":1700000000}"#) == .invalidRating("abc", reason: "not a finite number"))
        let out = parseJSONL(#"{"type":"review","user":"u","item":"i","text":"x","rating":8,"ts":1700000000}"#, EventParserConfiguration(ratingScale: 10))
        if case .review(let r)? = out.events.first { #expect(r.rating == 4) } else { Issue.record("\(out.rejections)") }
        // A scale beyond Int's range is named as a double in the error (String(Int(1e20)) trapped).
        let huge = parseJSONL(#"{"type":"review","user":"u","item":"i","text":"x","rating":1e21,"ts":1700000000}"#, EventParserConfiguration(ratingScale: 1e20))
        #expect(huge.rejections.first?.error == .invalidRating("1e21", reason: "outside 0–1e+20; pass --rating-scale N for an N-point scale"))
        let noRating = parseJSONL(#"{"type":"review","user":"u","item":"i","text":"x","rating":null,"ts":1700000000}"#)
        if case .review(let r)? = noRating.events.first { #expect(r.rating == nil) } else { Issue.record("null rating") }
    }

    @Test func explicitIdsDecideIdentityOtherwiseContentDoes() {
        let a = Review(eventID: "e1", user: "u", item: "i", rating: 5, text: "x", timestamp: 1_700_000_000)
        let b = Review(eventID: "e1", user: "u", item: "i", rating: 1, text: "other", timestamp: 1_700_000_999)
        #expect(a.key == b.key)
        let c = Review(user: "u", item: "i", rating: 5, text: "x", timestamp: 1_700_000_000)
        let d = Review(user: "u", item: "i", rating: 5, text: "x ", timestamp: 1_700_000_000)
        #expect(c.key != d.key)
        #expect(c.key == Review(user: "u", item: "i", rating: 5, text: "x", timestamp: 1_700_000_000).key)
        #expect(c.key != a.key)
    }
}
