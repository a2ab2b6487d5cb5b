import Foundation
import Testing

@testable import CorpusGeneration

@Suite("JSONLine")
struct JSONLineTests {
    private func encoded(_ text: String) -> String {
        var line = ""
        JSONLine.appendString(text, to: &line)
        return line
    }

    @Test("quotes, backslashes and control characters are escaped; other text is raw UTF-8")
    func escaping() throws {
        #expect(encoded("plain") == "\"plain\"")
        #expect(encoded("哑光口红 正红色") == "\"哑光口红 正红色\"")
        #expect(encoded("say \"hi\" \\ bye") == #""say \"hi\" \\ bye""#)
        #expect(encoded("a\nb\tc\r\u{08}\u{0C}\u{01}") == #""a\nb\tc\r\b\f\u0001""#)
        for text in ["x\"y", "\\", "tab\there", "\u{1F}", "emoji 🎣 ok", "混合 text \"引号\""] {
            let decoded = try JSONSerialization.jsonObject(
                with: Data(encoded(text).utf8), options: .fragmentsAllowed) as? String
            #expect(decoded == text)
        }
    }

    @Test("ids are zero-padded to the width; fractions have two decimals")
    func numbers() {
        #expect(JSONLine.paddedID(prefix: "u", number: 1, width: 6) == "u000001")
        #expect(JSONLine.paddedID(prefix: "P", number: 123_456, width: 5) == "P123456")
        #expect(JSONLine.digitCount(999_999) == 6 && JSONLine.digitCount(1_000_000) == 7)
        var line = ""
        JSONLine.appendFraction(percent: 62, to: &line)
        line += ","
        JSONLine.appendFraction(percent: 5, to: &line)
        line += ","
        JSONLine.appendFraction(percent: 100, to: &line)
        #expect(line == "0.62,0.05,1.00")
    }
}
