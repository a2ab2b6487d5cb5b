import InterestCore

/// The BERT normalizer (Devlin et al. 2019, as HF implements it): `cleanText` deletes control
/// characters and maps whitespace to a space; `handleChineseChars` surrounds every CJK
/// ideograph with spaces (so each becomes its own word); `stripAccents` (defaulting to
/// `lowercase`) applies NFD and deletes nonspacing marks (unlike `StripAccents`, which
/// deletes all combining marks); `lowercase` lowercases.
public struct BertNormalizer: Normalizer {
    public let cleanText: Bool
    public let handleChineseChars: Bool
    /// nil: follow `lowercase`, as HF does.
    public let stripAccents: Bool?
    public let lowercase: Bool

    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    public func normalize(_ text: inout NormalizedText) {
        let strip = stripAccents ?? lowercase
        if text.isASCII {
            // Whitespace mapping and lowercasing keep every byte in place; only deleting
            // control characters changes lengths.
            var needsRewrite = false
            if cleanText {
                text.bytes.withUnsafeBufferPointer { b in
                    for x in b where x == 0 || (x < 0x20 && x != 0x09 && x != 0x0A && x != 0x0D) || x == 0x7F {
                        needsRewrite = true
                        break
                    }
                }
            }
            if !needsRewrite {
                let clean = cleanText
                let lower = lowercase
                text.mapBytesInPlace { x in
                    var y = x
                    if clean && (y == 0x09 || y == 0x0A || y == 0x0D) { y = 0x20 }
                    if lower && y &- 0x41 < 26 { y |= 0x20 }
                    return y
                }
                return
            }
        }
        if cleanText || handleChineseChars {
            let clean = cleanText
            let chinese = handleChineseChars
            let classes = CharacterClass.table
            text.rewrite { cp, w in
                let cls = classes.of(cp)
                if clean {
                    // \t \n \r are controls too, but count as whitespace.
                    if cp == 0 || cp == 0xFFFD || (cls.contains(.bertRemoved) && cp != 0x09 && cp != 0x0A && cp != 0x0D) { return }
                    if cls.contains(.whitespace) {
                        w.append(0x20)
                        return
                    }
                }
                if chinese && cls.contains(.chinese) {
                    w.append(0x20)
                    w.append(cp)
                    w.append(0x20)
                    return
                }
                w.append(cp)
            }
        }
        if strip && !text.isASCII {
            UnicodeNormalizer(.nfd).normalize(&text)
            if text.containsNonASCII(of: .bertStripped) {
                let classes = CharacterClass.table
                text.rewrite { cp, w in
                    if cp < 0x80 || !classes.of(cp).contains(.bertStripped) { w.append(cp) }
                }
            }
        }
        if lowercase {
            Lowercase().normalize(&text)
        }
    }

    public var json: JSONValue {
        .object([
            ("type", "BertNormalizer"), ("clean_text", .bool(cleanText)),
            ("handle_chinese_chars", .bool(handleChineseChars)),
            ("strip_accents", stripAccents.map { .bool($0) } ?? .null), ("lowercase", .bool(lowercase)),
        ])
    }
}
