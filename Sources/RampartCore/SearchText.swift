/// Turns profile text and search queries into the form both full-text engines index:
/// lowercased words, and every CJK character its own token so that names written in
/// Chinese characters (which have no spaces) are found by any part of them.
public enum SearchText {
    /// The text to index for a profile's searchable fields.
    public static func document(_ parts: [String]) -> String {
        tokens(parts.joined(separator: " ")).joined(separator: " ")
    }

    /// The query's terms: each is a run of tokens that must appear in order (a phrase),
    /// e.g. `李伟 engineer` → `[["李", "伟"], ["engineer"]]`. At most 8 terms, each
    /// token at most 40 characters.
    public static func queryTerms(_ query: String) -> [[String]] {
        var terms: [[String]] = []
        for word in query.split(whereSeparator: { $0.isWhitespace }) {
            let phrase = tokens(String(word))
            if !phrase.isEmpty { terms.append(phrase) }
            if terms.count == 8 { break }
        }
        return terms
    }

    /// Lowercased tokens: runs of letters and digits; each CJK ideograph, kana or hangul
    /// syllable alone.
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { tokens.append(String(current.prefix(40))) }
            current = ""
        }
        for scalar in text.lowercased().unicodeScalars {
            // ASCII without the Unicode property tables (the same answer, a tenth of the cost).
            if scalar.isASCII {
                if (0x61...0x7A).contains(scalar.value) || (0x30...0x39).contains(scalar.value) {
                    current.unicodeScalars.append(scalar)
                } else if (0x41...0x5A).contains(scalar.value) {
                    current.unicodeScalars.append(Unicode.Scalar(scalar.value + 0x20) ?? scalar)
                } else {
                    flush()
                }
            } else if isCJK(scalar) {
                flush()
                tokens.append(String(scalar))
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.unicodeScalars.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return tokens
    }

    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FA1F:
            true
        default:
            false
        }
    }
}
