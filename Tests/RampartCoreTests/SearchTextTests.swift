import Testing

@testable import RampartCore

@Suite("SearchText")
struct SearchTextTests {
    @Test func chineseCharactersBecomeTokensOfTheirOwn() {
        #expect(SearchText.tokens("李伟 Software-Engineer") == ["李", "伟", "software", "engineer"])
    }

    @Test func everyASCIICharacterSplitsOrJoinsAsItsUnicodePropertiesSay() {
        for value in UInt32(0)..<128 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let joins = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            let text = "ab" + String(Character(scalar)) + "cd"
            let expected = joins ? [text.lowercased()] : ["ab", "cd"]
            #expect(SearchText.tokens(text) == expected, "U+\(String(value, radix: 16))")
        }
    }

    @Test func queryTermsKeepCJKRunsAsPhrases() {
        #expect(SearchText.queryTerms("  李伟   engineer ") == [["李", "伟"], ["engineer"]])
    }

    @Test func punctuationAndSymbolsAreDropped() {
        #expect(SearchText.queryTerms("\"; DROP TABLE x; -- %_*") == [["drop"], ["table"], ["x"]])
    }

    @Test func queriesAreCappedAtEightTerms() {
        #expect(SearchText.queryTerms((1...20).map { "w\($0)" }.joined(separator: " ")).count == 8)
    }

    @Test func accentedLettersStayInTheirWord() {
        #expect(SearchText.tokens("José Müller") == ["josé", "müller"])
    }
}
