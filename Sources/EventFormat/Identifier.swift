/// The one rule for user and item ids wherever they arrive — events on ingest, the service's
/// paths and bodies (docs/openapi.yaml's `Identifier` states the same): 1–256 characters, not
/// only whitespace, no control characters. Characters are Unicode scalars, as SQLite's
/// `length()` (the schema's CHECK) and JSON Schema's `maxLength` count them; whitespace is
/// Unicode's White_Space; control characters are C0, DEL and C1 (U+0000–001F, U+007F–009F).
public enum Identifier {
    public static let maxCharacters = 256

    /// Why `s` is not a usable id ("it is empty", …), or nil when it is one.
    public static func problem(_ s: String) -> String? {
        guard EventBuilder.hasNonWhitespace(s) else { return "it is empty" }
        var characters = 0
        var control = false
        var previous: UInt8 = 0
        for b in s.utf8 {
            if b & 0xC0 != 0x80 { characters += 1 }
            // C0 and DEL are single bytes; C1 is U+0080–009F, encoded C2 80 … C2 9F.
            if b < 0x20 || b == 0x7F || (previous == 0xC2 && b >= 0x80 && b <= 0x9F) { control = true }
            previous = b
        }
        if characters > maxCharacters { return "longer than \(maxCharacters) characters" }
        if control { return "it contains control characters" }
        return nil
    }
}
