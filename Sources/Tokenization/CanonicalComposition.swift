import Foundation

/// Canonical composition (the "C" of NFC/NFKC, UAX #15) that stays exact when supplementary
/// scalars are involved.
///
/// Foundation on Linux composes some supplementary starters with a following mark as if only
/// their low 16 bits counted (U+1006B + U+0331 becomes U+1E35, k + macron below), so runs
/// holding a scalar above U+FFFF are composed here instead: the standard algorithm, with pairs of
/// BMP scalars composed by Foundation (which is right for those) and the only supplementary
/// primary composites HF's Unicode data knows taken from a table.
enum CanonicalComposition {
    /// Composes decomposed scalars (canonically reordering them first: Foundation's
    /// decompositions misorder supplementary marks).
    static func compose(_ scalars: [UInt32]) -> [UInt32] {
        guard scalars.contains(where: { $0 > 0xFFFF }) else {
            return viaFoundation(scalars)
        }
        var items = scalars.map { (cp: $0, cls: combiningClass($0)) }
        // Canonical ordering: stable sort of each stretch of non-starters by class.
        var k = 0
        while k < items.count {
            guard items[k].cls != 0 else {
                k += 1
                continue
            }
            var e = k
            while e < items.count && items[e].cls != 0 { e += 1 }
            let sorted = items[k..<e].enumerated().sorted { ($0.element.cls, $0.offset) < ($1.element.cls, $1.offset) }
            items.replaceSubrange(k..<e, with: sorted.map(\.element))
            k = e
        }
        var out: [UInt32] = []
        out.reserveCapacity(items.count)
        var starter = -1  // index in out of the last starter, or -1
        var lastClass = -1  // class of the last scalar after the starter (-1: none yet)
        for (cp, cls) in items {
            if starter >= 0 {
                // Not blocked: directly after the starter, or every scalar between has a lower
                // (non-zero) class.
                let blocked = lastClass >= 0 && (lastClass >= cls || lastClass == 0)
                if !blocked, let composite = pair(out[starter], cp) {
                    out[starter] = composite
                    continue
                }
            }
            if cls == 0 {
                starter = out.count
                lastClass = -1
            } else if starter >= 0 {
                lastClass = cls
            }
            out.append(cp)
        }
        return out
    }

    /// Supplementary primary composites in HF's normalization data: (first, second) → composite.
    private static let supplementary: [UInt64: UInt32] = [
        pairKey(0x11099, 0x110BA): 0x1109A, pairKey(0x1109B, 0x110BA): 0x1109C, pairKey(0x110A5, 0x110BA): 0x110AB,
        pairKey(0x11131, 0x11127): 0x1112E, pairKey(0x11132, 0x11127): 0x1112F, pairKey(0x11347, 0x1133E): 0x1134B,
        pairKey(0x11347, 0x11357): 0x1134C, pairKey(0x114B9, 0x114BA): 0x114BB, pairKey(0x114B9, 0x114B0): 0x114BC,
        pairKey(0x114B9, 0x114BD): 0x114BE, pairKey(0x115B8, 0x115AF): 0x115BA, pairKey(0x115B9, 0x115AF): 0x115BB,
    ]

    /// Scalars with a non-zero combining class in Swift's Unicode data that HF's (older) data
    /// does not know, so HF treats them as starters that never combine (found by probing HF's
    /// NFD with each such scalar between a letter and a class-1 mark): ranges, first and last.
    private static let unknownToHF: [UInt32] = [
        0x7FD, 0x7FD, 0x897, 0x89F, 0x8CA, 0x8D3, 0x9FE, 0x9FE, 0xC3C, 0xC3C, 0xD3B, 0xD3C, 0xEBA, 0xEBA,
        0x1715, 0x1715, 0x1ABF, 0x1ADD, 0x1AE0, 0x1AEB, 0x1DF6, 0x1DFA, 0xA82C, 0xA82C, 0x10D24, 0x10D27,
        0x10D69, 0x10D6D, 0x10EAB, 0x10EAC, 0x10EFA, 0x10EFB, 0x10EFD, 0x10EFF, 0x10F46, 0x10F50,
        0x10F82, 0x10F85, 0x11070, 0x11070, 0x1133B, 0x1133B, 0x113CE, 0x113D0, 0x1145E, 0x1145E,
        0x11839, 0x1183A, 0x1193D, 0x1193E, 0x11943, 0x11943, 0x119E0, 0x119E0, 0x11A34, 0x11A34,
        0x11A47, 0x11A47, 0x11A99, 0x11A99, 0x11D42, 0x11D42, 0x11D44, 0x11D45, 0x11D97, 0x11D97,
        0x11F41, 0x11F42, 0x1612F, 0x1612F, 0x16FF0, 0x16FF1, 0x1E08F, 0x1E08F, 0x1E130, 0x1E136,
        0x1E2AE, 0x1E2AE, 0x1E2EC, 0x1E2EF, 0x1E4EC, 0x1E4EF, 0x1E5EE, 0x1E5EF, 0x1E6E3, 0x1E6E3,
        0x1E6E6, 0x1E6E6, 0x1E6EE, 0x1E6EF, 0x1E6F5, 0x1E6F5,
    ]

    /// True for a mark HF's data does not know (see `unknownToHF`).
    static func isUnknownMark(_ cp: UInt32) -> Bool {
        var lo = 0
        var hi = unknownToHF.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if unknownToHF[2 * mid + 1] < cp { lo = mid + 1 } else { hi = mid }
        }
        return lo < unknownToHF.count / 2 && unknownToHF[2 * lo] <= cp
    }

    private static func pairKey(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    /// The primary composite of two scalars, if any.
    private static func pair(_ a: UInt32, _ b: UInt32) -> UInt32? {
        if a > 0xFFFF || b > 0xFFFF { return supplementary[pairKey(a, b)] }
        let composed = viaFoundation([a, b])
        return composed.count == 1 ? composed[0] : nil
    }

    private static func combiningClass(_ cp: UInt32) -> Int {
        Unicode.Scalar(cp).map { Int($0.properties.canonicalCombiningClass.rawValue) } ?? 0
    }

    private static func viaFoundation(_ scalars: [UInt32]) -> [UInt32] {
        var v = String.UnicodeScalarView()
        for cp in scalars {
            if let sc = Unicode.Scalar(cp) { v.append(sc) }
        }
        return String(v).precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
    }
}
