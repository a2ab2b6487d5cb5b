import InterestCore

extension Tokenizer {
    /// The tokenizer as a Hugging Face `tokenizer.json` value (HF's key order).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("version", "1.0")]
        members.append(("truncation", truncation.map { t in
            .object([("direction", .string(t.direction)), ("max_length", .int(t.maxLength)),
                     ("strategy", .string(t.strategy)), ("stride", .int(t.stride))])
        } ?? .null))
        members.append(("padding", padding.map { p in
            .object([("strategy", p.fixedLength.map { .object([("Fixed", .int($0))]) } ?? "BatchLongest"),
                     ("direction", .string(p.direction)), ("pad_to_multiple_of", p.padToMultipleOf.map { .int($0) } ?? .null),
                     ("pad_id", .int(Int(p.padID))), ("pad_type_id", .int(Int(p.padTypeID))), ("pad_token", .string(p.padToken))])
        } ?? .null))
        members.append(("added_tokens", .array(addedTokens.map(\.json))))
        members.append(("normalizer", normalizer?.json ?? .null))
        members.append(("pre_tokenizer", preTokenizer?.json ?? .null))
        members.append(("post_processor", postProcessor?.json ?? .null))
        members.append(("decoder", decoder?.json ?? .null))
        members.append(("model", model.json))
        return .object(members)
    }

    /// `tokenizer.json` bytes (pretty-printed, deterministic).
    public func serializedJSON() -> [UInt8] {
        json.serializedBytes(pretty: true) + [0x0A]
    }
}
