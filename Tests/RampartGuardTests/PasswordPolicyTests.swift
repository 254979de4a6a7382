import RampartCore
import RampartGuard
import Testing

@Suite("PasswordPolicy")
struct PasswordPolicyTests {
    private func weakness(_ password: String) -> RampartError? {
        do {
            try PasswordPolicy.validate(password)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: ["", "a", "abc123XY!", "Tr0ub4dor", "密码很安全"])
    func aPasswordShorterThanTenCharactersIsWeak(_ password: String) throws {
        let error = try #require(weakness(password))
        #expect(error.code == "weak_password")
        #expect(error.kind == .invalidInput)
        #expect(error.message.contains("at least 10"))
    }

    @Test func aPasswordLongerThan200CharactersIsWeak() throws {
        let password = String(repeating: "abc", count: 67)  // 201 characters
        let error = try #require(weakness(password))
        #expect(error.code == "weak_password")
        #expect(error.message.contains("at most 200"))
    }

    @Test func aPasswordOfFewCharactersButOver400BytesIsWeak() throws {
        let password = String(repeating: "😀😁😂", count: 34)  // 102 characters, 408 bytes
        #expect(password.count <= 200)
        #expect(password.utf8.count > 400)
        let error = try #require(weakness(password))
        #expect(error.code == "weak_password")
        #expect(error.message.contains("at most 200"))
    }

    @Test func lengthsAreCountedInCharactersNotBytes() {
        #expect(weakness("ñandú-pingüino") == nil)
        #expect(weakness("密码是安全的长密码很好") == nil)  // 11 characters
        #expect(weakness("密码是安全的长密码") != nil)  // 9 characters
    }

    @Test func exactlyTheMinimumAndMaximumLengthsAreAccepted() {
        #expect(weakness("abcdefgh1!") == nil)
        let longest = String(String(repeating: "abcdefghij", count: 20).prefix(200))
        #expect(longest.count == 200)
        #expect(weakness(longest) == nil)
    }

    @Test(arguments: ["aaaaaaaaaa", "1111111111111111", "!!!!!!!!!!!!", "zzzzzzzzzzzzzzzzzzzzzzzzzz", "ababababab", "1212121212"])
    func aPasswordOfOneOrTwoRepeatedCharactersIsWeak(_ password: String) throws {
        let error = try #require(weakness(password))
        #expect(error.code == "weak_password")
        #expect(error.message.contains("different characters"))
    }

    @Test(arguments: [
        "1234567890", "0123456789", "qwertyuiop", "password123", "Password123", "PASSWORD123", "QwErTyUiOp",
        "iloveyou12", "1q2w3e4r5t", "abcdefghij", "ABCDEFGHIJ", "administrator", "Welcome123", "letmein123",
        "changeme123", "passw0rd123",
    ])
    func aCommonPasswordIsWeakWhateverItsCase(_ password: String) throws {
        let error = try #require(weakness(password))
        #expect(error.code == "weak_password")
        #expect(error.message.contains("leaked"))
    }

    @Test(arguments: [
        "correct horse battery staple", "Tr0ub4dor&3x", "mañana-es-otro-día", "abc", "aab1234567",
        "my dog is called Rex!", "ZXCV-9876-plum", " spaced out ", "password1234", "qwertyuiop1",
    ].filter { $0.count >= 10 })
    func aReasonablePasswordPasses(_ password: String) {
        #expect(weakness(password) == nil)
    }
}

@Suite("DisplayNamePolicy")
struct DisplayNamePolicyTests {
    @Test(arguments: [
        ("Ada Lovelace", "Ada Lovelace"),
        ("  Ada Lovelace  ", "Ada Lovelace"),
        ("\n\tLi Wei\r\n", "Li Wei"),
        ("王小明", "王小明"),
        ("José Álvarez", "José Álvarez"),
        ("O'Brien-Smith", "O'Brien-Smith"),
        ("👨‍👩‍👧 family", "👨‍👩‍👧 family"),  // the zero-width joiner is allowed
        ("A", "A"),
    ])
    func aNameIsTrimmedAndKept(_ input: String, _ expected: String) throws {
        #expect(try DisplayNamePolicy.normalize(input) == expected)
    }

    @Test(arguments: ["", " ", "   ", "\n", "\t \r\n", "\u{3000}"])
    func anEmptyNameIsInvalid(_ input: String) throws {
        let error = #expect(throws: RampartError.self) { try DisplayNamePolicy.normalize(input) }
        #expect(error?.code == "invalid_name")
        #expect(error?.kind == .invalidInput)
    }

    @Test func aNameOfExactly100CharactersIsAccepted() throws {
        let name = String(repeating: "名", count: 100)
        #expect(try DisplayNamePolicy.normalize("  " + name + "  ") == name)
    }

    @Test func aNameOfMoreThan100CharactersIsInvalid() {
        let error = #expect(throws: RampartError.self) {
            try DisplayNamePolicy.normalize(String(repeating: "a", count: 101))
        }
        #expect(error?.code == "invalid_name")
        #expect(error?.message.contains("100") == true)
    }

    @Test(arguments: [
        "Ada\u{0000}", "Ada\u{0007}Lovelace", "Ada\tLovelace", "Ada\nLovelace", "Ada\u{001B}[31m",
        "Ada\u{007F}", "Ada\u{0085}x", "Ada\u{200B}Lovelace", "Ada\u{202E}ecalevoL", "\u{FEFF}Ada",
        "Ada\u{2066}x",
    ])
    func aNameWithControlOrFormatCharactersIsInvalid(_ input: String) {
        let error = #expect(throws: RampartError.self) { try DisplayNamePolicy.normalize(input) }
        #expect(error?.code == "invalid_name")
    }
}
