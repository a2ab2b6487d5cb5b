/// The placeholders a template can contain.
///
/// `{p}` the product, `{p2}` a second product of the same topic, `{u}` a use of the topic,
/// `{b}` the brand, `{c}` the colour, `{m}` the material.
enum TemplateSlot: UInt8, Sendable, CaseIterable {
    case product = 0
    case product2 = 1
    case use = 2
    case brand = 3
    case colour = 4
    case material = 5

    var placeholder: String {
        switch self {
        case .product: "{p}"
        case .product2: "{p2}"
        case .use: "{u}"
        case .brand: "{b}"
        case .colour: "{c}"
        case .material: "{m}"
        }
    }

    var bit: UInt8 { 1 << rawValue }

    /// Bits of the brand, colour and material slots.
    static let attributeBits: UInt8 = TemplateSlot.brand.bit | TemplateSlot.colour.bit | TemplateSlot.material.bit
}

/// The words substituted into a template.
struct SlotValues {
    var product = ""
    var product2 = ""
    var use = ""
    var brand = ""
    var colour = ""
    var material = ""

    subscript(slot: TemplateSlot) -> String {
        switch slot {
        case .product: product
        case .product2: product2
        case .use: use
        case .brand: brand
        case .colour: colour
        case .material: material
        }
    }
}

/// A sentence, title or query pattern such as `"Love my new {b} {p}."`, parsed once into
/// literal pieces and slots so rendering is a handful of appends.
struct TextTemplate: Sendable {
    private enum Piece: Sendable {
        case literal(String)
        case slot(TemplateSlot)
    }

    private let pieces: [Piece]
    /// Bit set of the slots the template uses (`TemplateSlot.bit`).
    let slots: UInt8

    init(_ source: String) {
        var pieces: [Piece] = []
        var slots: UInt8 = 0
        var literal = ""
        var rest = Substring(source)
        scanning: while let first = rest.first {
            if first == "{" {
                for slot in TemplateSlot.allCases where rest.hasPrefix(slot.placeholder) {
                    if !literal.isEmpty {
                        pieces.append(.literal(literal))
                        literal = ""
                    }
                    pieces.append(.slot(slot))
                    slots |= slot.bit
                    rest = rest.dropFirst(slot.placeholder.count)
                    continue scanning
                }
            }
            literal.append(first)
            rest = rest.dropFirst()
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
        self.slots = slots
    }

    /// True when the template contains `slot`.
    func uses(_ slot: TemplateSlot) -> Bool { slots & slot.bit != 0 }

    /// Appends the template with `values` substituted to `output`.
    func render(_ values: SlotValues, into output: inout String) {
        for piece in pieces {
            switch piece {
            case .literal(let text): output += text
            case .slot(let slot): output += values[slot]
            }
        }
    }

    /// Parses a list of template sources.
    static func list(_ sources: [String]) -> [TextTemplate] {
        sources.map(TextTemplate.init)
    }
}
