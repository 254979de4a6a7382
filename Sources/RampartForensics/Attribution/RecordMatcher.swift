import Foundation
import RampartCore

/// Finds people's records in a copy's bytes: a name standing whole with its headline and
/// company close by (within ``window`` bytes), as saved HTML, JSON or CSV hold a record.
///
/// For honey profiles (``Rule/nameWithBoth``) a name alone never counts, nor a name with one
/// of the two: honey names come from the same lists as members' (though no member has a
/// honey's name when it is minted), and in a dense dump the rows around a name hold many
/// headlines and companies. For members (``Rule/nameWithEither``, what the copy holds of
/// them) the name with either is enough: a member's record is often copied without one.
/// Nor a name inside a longer one: it must stand between non-word characters.
///
/// Fuzzy where copies differ from what was served: letters' case (ASCII is folded in both
/// the copy and the names), accents ("José García" is found as "Jose Garcia"), and each
/// text as written, as HTML and JSON escape it, and in GB18030 (GBK pages). CJK names are
/// matched as they are, whole (张伟 is not 张伟明). One pass over the bytes whatever the
/// number of records: candidate positions are found through the first four, or eight,
/// bytes of each name.
struct RecordMatcher {
    /// Bytes on either side of a name searched for its headline or company.
    static let window = 1_024

    enum Rule {
        case nameWithBoth
        case nameWithEither
    }

    private struct Needle {
        var record: Int
        var bytes: [UInt8]
    }

    let records: [Profile]
    let rule: Rule
    private var names: [Needle] = []
    /// Per record, its headline and company, each in every form (``variants(_:)``).
    private var companions: [[[[UInt8]]]] = []
    private var byShortPrefix: [UInt32: [Int]] = [:]
    private var byLongPrefix: [UInt64: [Int]] = [:]

    /// Per record, whether another record has its name: a namesake's row beside a dense
    /// dump's common headlines would otherwise count, so such a name needs both fields, and
    /// of its namesakes the one whose fields stand nearest is the one found.
    private var shared: [Bool] = []

    init(_ records: [Profile], rule: Rule) {
        self.records = records
        self.rule = rule
        var holders: [String: Int] = [:]
        for profile in records { holders[profile.name.lowercased(), default: 0] += 1 }
        shared = records.map { (holders[$0.name.lowercased()] ?? 0) > 1 }
        for (index, profile) in records.enumerated() {
            companions.append([profile.headline, profile.company].filter { $0.count >= 2 }.map(Self.variants))
            for name in Self.variants(profile.name) where name.count >= 4 {
                if name.count >= 8 {
                    byLongPrefix[Self.longPrefix(name, 0), default: []].append(names.count)
                } else {
                    byShortPrefix[Self.shortPrefix(name, 0), default: []].append(names.count)
                }
                names.append(Needle(record: index, bytes: name))
            }
        }
    }

    var isEmpty: Bool { names.isEmpty }

    /// Indices (into ``records``) of the records `bytes` hold (`bytes` as read; this folds them).
    func find(in bytes: [UInt8]) -> Set<Int> { Set(locate(in: bytes).keys) }

    /// The records `bytes` hold, each with where its name first stands in them.
    func locate(in bytes: [UInt8]) -> [Int: Int] {
        var found: [Int: Int] = [:]
        guard !names.isEmpty, bytes.count >= 4 else { return found }
        let text = Self.folded(bytes)
        for position in 0...(text.count - 4) {
            if let candidates = byShortPrefix[Self.shortPrefix(text, position)] { check(candidates, at: position, in: text, &found) }
            if position + 8 <= text.count, let candidates = byLongPrefix[Self.longPrefix(text, position)] {
                check(candidates, at: position, in: text, &found)
            }
        }
        return found
    }

    /// The record whose name stands whole at `position` with the fields its rule asks for
    /// beside it: the longest such name ("Ana Costa 12", not "Ana Costa" before its " 12");
    /// of namesakes, the one whose fields stand nearest (none on a tie).
    private func check(_ candidates: [Int], at position: Int, in text: [UInt8], _ found: inout [Int: Int]) {
        var best: (record: Int, length: Int, fields: Int, distance: Int)?
        var tied = false
        for candidate in candidates {
            let needle = names[candidate]
            guard best?.record != needle.record, Self.occurs(needle.bytes, in: text, at: position),
                Self.isBoundary(text, before: position), Self.isBoundary(text, after: position + needle.bytes.count)
            else { continue }
            let fields = companions[needle.record]
            guard !fields.isEmpty else { continue }
            let end = position + needle.bytes.count
            let low = max(0, position - Self.window), high = min(text.count, end + Self.window)
            let distances = fields.compactMap { forms in forms.compactMap { Self.distance(of: $0, in: text[low..<high], from: position, to: end) }.min() }
            let needsBoth = rule == .nameWithBoth || shared[needle.record]
            guard distances.count == fields.count || (!needsBoth && !distances.isEmpty) else { continue }
            let score = (record: needle.record, length: needle.bytes.count, fields: distances.count, distance: distances.reduce(0, +) / distances.count)
            if let current = best {
                let ours = (score.length, score.fields, -score.distance), theirs = (current.length, current.fields, -current.distance)
                if ours < theirs { continue }
                if ours == theirs {
                    tied = true
                    continue
                }
            }
            best = score
            tied = false
        }
        if let best, !tied, found[best.record] == nil { found[best.record] = position }
    }

    /// How far the nearest occurrence of `needle` in `window` stands from the name at
    /// `start..<end` (0 when it overlaps it); nil when it is not there.
    private static func distance(of needle: [UInt8], in window: ArraySlice<UInt8>, from start: Int, to end: Int) -> Int? {
        guard let first = needle.first, needle.count <= window.count else { return nil }
        var nearest: Int?
        var index = window.startIndex
        let last = window.endIndex - needle.count
        while index <= last {
            if window[index] == first, window[index..<(index + needle.count)].elementsEqual(needle) {
                let gap = index >= end ? index - end : (index + needle.count <= start ? start - (index + needle.count) : 0)
                nearest = min(nearest ?? gap, gap)
            }
            index += 1
        }
        return nearest
    }

    /// ASCII letters in lower case; every other byte as it is.
    static func folded(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
    }

    /// GB18030 (which contains GBK and GB2312): what Chinese pages of a mirror are often in.
    /// Foundation names it by CoreFoundation's number (kCFStringEncodingGB_18030_2000).
    static let gb18030 = String.Encoding(rawValue: 0x8000_0632)

    /// A text as written, as HTML (either apostrophe form) and JSON escape it, without its
    /// accents, and, when it is not plain ASCII, in GB18030; each ASCII-folded (``folded(_:)``).
    static func variants(_ text: String) -> [[UInt8]] {
        let html = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        let json = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "/", with: "\\/")
        var forms = [text, html, html.replacingOccurrences(of: "'", with: "&#39;"), html.replacingOccurrences(of: "'", with: "&#x27;"), json]
        let plain = text.folding(options: [.diacriticInsensitive], locale: nil)
        if plain != text { forms.append(plain) }
        var encoded = forms.map { Array($0.utf8) }
        if !text.allSatisfy(\.isASCII), let chinese = text.data(using: gb18030) { encoded.append(Array(chinese)) }
        var seen = Set<[UInt8]>()
        return encoded.map(folded).filter { seen.insert($0).inserted }
    }

    /// Whether a name found at this edge stands on its own: not part of a longer name
    /// ("Li Wei" inside "Li Weiming", 张伟 inside 张伟明, "Ana Costa" inside "Ana Costa 12").
    /// The character next to it must not be a letter or digit; punctuation (ASCII, Unicode's
    /// such as "，" or "·", GBK's symbol rows) or the file's edge is a boundary.
    static func isBoundary(_ bytes: [UInt8], before position: Int) -> Bool {
        guard position > 0 else { return true }
        let last = bytes[position - 1]
        if last < 0x80 { return !isASCIIWord(last) }
        // UTF-8: back over continuation bytes to the character's first byte.
        var start = position - 1
        while start > max(0, position - 4), bytes[start] & 0xC0 == 0x80 { start -= 1 }
        if let scalar = utf8Scalar(bytes, at: start), scalar.length == position - start { return !isWord(scalar.value) }
        // GB18030: the two bytes before; rows A1–A9 are punctuation and symbols.
        return position >= 2 && (0xA1...0xA9).contains(bytes[position - 2])
    }

    static func isBoundary(_ bytes: [UInt8], after end: Int) -> Bool {
        guard end < bytes.count else { return true }
        let next = bytes[end]
        if next < 0x80 { return !isASCIIWord(next) }
        if let scalar = utf8Scalar(bytes, at: end) { return !isWord(scalar.value) }
        return (0xA1...0xA9).contains(next)
    }

    private static func isASCIIWord(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// The UTF-8 character starting at `index`, with its length in bytes; nil when the bytes
    /// there are not UTF-8.
    private static func utf8Scalar(_ bytes: [UInt8], at index: Int) -> (value: Unicode.Scalar, length: Int)? {
        let lead = bytes[index]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0
        guard length > 0, index + length <= bytes.count else { return nil }
        var decoder = UTF8()
        var iterator = bytes[index..<(index + length)].makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return nil }
        return (scalar, length)
    }

    private static func shortPrefix(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[at + $1]) }
    }

    private static func longPrefix(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 << 8 | UInt64(bytes[at + $1]) }
    }

    private static func occurs(_ needle: [UInt8], in bytes: [UInt8], at position: Int) -> Bool {
        guard position + needle.count <= bytes.count else { return false }
        for offset in 0..<needle.count where bytes[position + offset] != needle[offset] { return false }
        return true
    }
}
