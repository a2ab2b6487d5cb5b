import Foundation
import InterestCore
import Testing

@Suite struct JSONWriterTests {
    static func string(_ text: String) -> String {
        var w = JSONWriter()
        w.appendString(text)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Known answers: what serde_json and Python's json.dumps(s, ensure_ascii=False) write.
    @Test func stringsEscapeOnlyWhatJSONRequires() {
        #expect(Self.string("") == #""""#)
        #expect(Self.string("plain words, 42!") == #""plain words, 42!""#)
        #expect(Self.string(#"She said "size up""#) == #""She said \"size up\"""#)
        #expect(Self.string(#"C:\dir\"#) == #""C:\\dir\\""#)
        #expect(Self.string("\"") == #""\"""#)
        #expect(Self.string("\\") == #""\\""#)
        #expect(Self.string("a\nb\rc\td\u{08}e\u{0C}f") == #""a\nb\rc\td\be\ff""#)
        #expect(Self.string("\u{0}\u{1}\u{1B}\u{1F} ") == #""\u0000\u0001\u001b\u001f ""#)
        // DEL, U+2028 and non-ASCII stay raw UTF-8; "/" is not escaped.
        #expect(Self.string("\u{7F}/\u{2028}") == "\"\u{7F}/\u{2028}\"")
        #expect(Self.string("连衣裙很漂亮 😀 Café") == "\"连衣裙很漂亮 😀 Café\"")
        #expect(Self.string("\n中\"😀\\") == #""\n中\"😀\\""#)
    }

    /// Every scalar below 0x80 and some beyond, alone and in runs, read back by Foundation's
    /// JSON parser as the same string.
    @Test func stringsRoundTripThroughAJSONParser() throws {
        var texts = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        texts += ["", "é", "中文", "👩‍👩‍👧", "a\u{0}b", "\r\n", String((0..<0x80).map { Character(UnicodeScalar(UInt8($0))) })]
        var w = JSONWriter()
        w.appendRaw(UInt8(ascii: "["))
        for (k, t) in texts.enumerated() {
            if k > 0 { w.appendRaw(UInt8(ascii: ",")) }
            w.appendString(t)
        }
        w.appendRaw(UInt8(ascii: "]"))
        let back = try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String]
        #expect(back == texts)
    }

    /// Every value from -1,000 to 100,000 (all of the two-digit table, every length of token
    /// ids and offsets), each power of ten and its neighbours, and the extremes.
    @Test func integersAreDecimal() {
        var values = Array(-1_000...100_000) + [Int.max, Int.min, Int.max - 1, Int.min + 1]
        var p = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, p + 1, -p + 1, -p, -p - 1]
        }
        var w = JSONWriter()
        var wrong = 0
        for v in values {
            w.removeAll()
            w.appendInt(v)
            if String(decoding: w.bytes, as: UTF8.self) != String(v) {
                wrong += 1
                if wrong <= 3 { Issue.record("\(v) written as \(String(decoding: w.bytes, as: UTF8.self))") }
            }
        }
        #expect(wrong == 0)
    }

    @Test func rawAppendsAndReuse() {
        var w = JSONWriter(capacity: 4)
        w.appendRaw("{\"ids\":[")
        w.appendInt(-3)
        w.appendRaw(UInt8(ascii: ","))
        let quoted = JSONWriter.quoted("x\"y")
        quoted.withUnsafeBufferPointer { w.appendRaw($0) }
        w.appendRaw("]}")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"ids":[-3,"x\"y"]}"#)
        #expect(w.count == w.bytes.count)
        w.removeAll()
        #expect(w.bytes.isEmpty)
        w.appendInt(5)
        #expect(w.bytes == [UInt8(ascii: "5")])
    }
}
