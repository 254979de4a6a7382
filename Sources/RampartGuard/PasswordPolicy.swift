import Foundation
import RampartCore

/// What a password must be: 10 to 200 characters, not one repeated character, not one of
/// the passwords every credential-stuffing list starts with.
public enum PasswordPolicy {
    public static let minimumLength = 10
    public static let maximumLength = 200

    public static func validate(_ password: String) throws(RampartError) {
        let count = password.count
        guard count >= minimumLength else {
            throw .invalid(.weakPassword, "Choose a password of at least \(minimumLength) characters.")
        }
        guard count <= maximumLength, password.utf8.count <= 400 else {
            throw .invalid(.weakPassword, "A password may have at most \(maximumLength) characters.")
        }
        guard Set(password).count > 2 else {
            throw .invalid(.weakPassword, "That password is too easy to guess: use more different characters.")
        }
        guard !commonPasswords.contains(password.lowercased()) else {
            throw .invalid(.weakPassword, "That password appears in lists of leaked passwords: choose another.")
        }
    }

    private static let commonPasswords: Set<String> = [
        "1234567890", "12345678910", "0123456789", "qwertyuiop", "password123", "password12",
        "password1!", "iloveyou12", "1q2w3e4r5t", "qwerty1234", "1qaz2wsx3edc", "abcdefghij",
        "abc1234567", "passw0rd123", "welcome123", "letmein123", "administrator", "changeme123",
    ]
}

/// Names as members give them: 1 to 100 characters, no control characters.
public enum DisplayNamePolicy {
    public static func normalize(_ name: String) throws(RampartError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid(.invalidName, "Enter your name.") }
        guard trimmed.count <= 100 else { throw .invalid(.invalidName, "A name may have at most 100 characters.") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format && $0 != "\u{200D}" }) else {
            throw .invalid(.invalidName, "A name may not contain control characters.")
        }
        return trimmed
    }
}
