import Foundation
import RampartCore

/// Finds honey profiles (``HoneyProfile``) in a copy's bytes: a honey's name with its
/// headline and its company close by (within ``window`` bytes), as saved HTML, JSON or CSV
/// hold a record. A name alone never counts, nor a name with one of the two: honey names
/// come from the same lists as members' (though no member has a honey's name when it is
/// minted), and in a dense dump the rows around a name hold many headlines and companies.
/// Each text is looked for as written, as HTML and JSON escape it, and in GB18030 (GBK
/// pages). One pass over the
/// bytes, whatever the number of honey profiles: candidate positions are found through the
/// first three bytes of each name.
struct HoneyMatcher {
    /// Bytes on either side of a name searched for its headline or company.
    static let window = 1_024

    private struct Needle {
        var honey: Int
        var bytes: [UInt8]
    }

    let honey: [HoneyProfile]
    private var names: [Needle] = []
    /// Per honey, its headline and company, each in every form (``variants(_:)``): all must
    /// be near its name.
    private var companions: [[[[UInt8]]]] = []
    private var byPrefix: [UInt32: [Int]] = [:]

    init(_ honey: [HoneyProfile]) {
        self.honey = honey
        for (index, entry) in honey.enumerated() {
            let profile = entry.profile
            companions.append([profile.headline, profile.company].filter { $0.count >= 2 }.map(Self.variants))
            for name in Self.variants(profile.name) where name.count >= 3 {
                byPrefix[Self.prefix(name, 0), default: []].append(names.count)
                names.append(Needle(honey: index, bytes: name))
            }
        }
    }

    var isEmpty: Bool { names.isEmpty }

    /// Indices (into ``honey``) of the honey profiles whose record `bytes` hold.
    func find(in bytes: [UInt8]) -> Set<Int> {
        var found = Set<Int>()
        guard !names.isEmpty, bytes.count >= 3 else { return found }
        for position in 0...(bytes.count - 3) {
            guard let candidates = byPrefix[Self.prefix(bytes, position)] else { continue }
            for candidate in candidates {
                let needle = names[candidate]
                guard !found.contains(needle.honey), Self.occurs(needle.bytes, in: bytes, at: position) else { continue }
                let low = max(0, position - Self.window), high = min(bytes.count, position + needle.bytes.count + Self.window)
                let near = bytes[low..<high]
                let fields = companions[needle.honey]
                if !fields.isEmpty, fields.allSatisfy({ forms in forms.contains { Self.contains(near, $0) } }) { found.insert(needle.honey) }
            }
        }
        return found
    }

    /// GB18030 (which contains GBK and GB2312): what Chinese pages of a mirror are often in.
    /// Foundation names it by CoreFoundation's number (kCFStringEncodingGB_18030_2000).
    static let gb18030 = String.Encoding(rawValue: 0x8000_0632)

    /// A text as written, as HTML (either apostrophe form) and JSON escape it, and, when it is
    /// not plain ASCII, in GB18030.
    static func variants(_ text: String) -> [[UInt8]] {
        let html = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        let json = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "/", with: "\\/")
        let forms = [text, html, html.replacingOccurrences(of: "'", with: "&#39;"), html.replacingOccurrences(of: "'", with: "&#x27;"), json]
        var encoded = forms.map { Array($0.utf8) }
        if !text.allSatisfy(\.isASCII), let chinese = text.data(using: gb18030) { encoded.append(Array(chinese)) }
        var seen = Set<[UInt8]>()
        return encoded.filter { seen.insert($0).inserted }
    }

    private static func prefix(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 16 | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2])
    }

    private static func occurs(_ needle: [UInt8], in bytes: [UInt8], at position: Int) -> Bool {
        guard position + needle.count <= bytes.count else { return false }
        for offset in 0..<needle.count where bytes[position + offset] != needle[offset] { return false }
        return true
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
