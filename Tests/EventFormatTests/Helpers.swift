import EventFormat
import InterestCore

func parseJSONL(_ text: String, _ configuration: EventParserConfiguration = EventParserConfiguration()) -> ParsedChunk {
    parseJSONL(Array(text.utf8), configuration)
}

func parseJSONL(_ bytes: [UInt8], _ configuration: EventParserConfiguration = EventParserConfiguration()) -> ParsedChunk {
    let parser = EventParser(configuration: configuration)
    return bytes.withUnsafeBytes { parser.parseJSONLines($0, firstLine: 1, startOfInput: true) }
}

/// The one error of a single bad line, or nil when it parsed.
func rejection(_ line: String, _ configuration: EventParserConfiguration = EventParserConfiguration()) -> EventFormatError? {
    let out = parseJSONL(line, configuration)
    return out.rejections.first?.error
}

func parseCSV(_ text: String, _ configuration: EventParserConfiguration = EventParserConfiguration(format: .csv)) throws -> ParsedChunk {
    let parser = EventParser(configuration: configuration)
    let bytes = Array(text.utf8)
    let (header, used, lines) = try bytes.withUnsafeBytes { try parser.readCSVHeader($0) }
    let rest = Array(bytes[used...])
    return rest.withUnsafeBytes { parser.parseCSV($0, firstLine: 1 + lines, header: header) }
}
