import Testing

@testable import RampartCore

@Suite("SearchText")
struct SearchTextTests {
    @Test func chineseCharactersBecomeTokensOfTheirOwn() {
        #expect(SearchText.tokens("李伟 Software-Engineer") == ["李", "伟", "software", "engineer"])
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
