import InterestCore
import Testing

@Suite struct StableHashTests {
    /// Reference values from the `mmh3` Python package (MurmurHash3 x64-128), printed as
    /// (h2 << 64 | h1) like mmh3.hash128(..., x64arch=True).
    static func reference(_ text: String, seed: UInt64 = 0) -> String {
        let (h1, h2) = StableHash128.hash(Array(text.utf8), seed: seed)
        return hex(h2) + hex(h1)
    }

    static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    @Test func knownAnswersMatchMurmurHash3() {
        #expect(Self.reference("") == String(repeating: "0", count: 32))
        #expect(Self.reference("hello") == "5b1e906a48ae1d19cbd8a7b341bd9b02")
        #expect(Self.reference("The quick brown fox jumps over the lazy dog") == "7a433ca9c49a9347e34bbc7bbc071b6c")
        #expect(Self.reference("0123456789abcdefXYZ", seed: 7) == "f4d88ea08195f612baebbbd0af8e46ea")
    }

    @Test func incrementalFeedingEqualsOneShot() {
        let text = Array("口红 lipstick, fly fishing reels and 🎣 emoji — a longer line to cross blocks".utf8)
        let whole = StableHash128.hash(text)
        for split in [1, 3, 15, 16, 17, 31, 40] where split < text.count {
            var h = StableHash128()
            text[0..<split].withUnsafeBytes { h.combine(bytes: $0) }
            text[split...].withUnsafeBytes { h.combine(bytes: $0) }
            #expect(h.finalize() == whole, "split at \(split)")
        }
    }

    @Test func fieldBoundariesMatter() {
        var a = StableHash128()
        a.combine(field: "ab")
        a.combine(field: "c")
        var b = StableHash128()
        b.combine(field: "a")
        b.combine(field: "bc")
        #expect(a.finalize() != b.finalize())
    }
}
