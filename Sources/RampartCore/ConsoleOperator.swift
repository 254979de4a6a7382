import Foundation

/// A trust & safety operator of the console (`/console`): not a member. Created from the
/// command line (`rampart operator add`), signs in with a password and a TOTP code.
public struct ConsoleOperator: Sendable, Equatable {
    /// What an operator may do: an analyst reads and makes case files; an admin also
    /// suspends, reinstates and resolves appeals.
    public enum Role: String, Sendable, CaseIterable {
        case analyst, admin
    }

    public var name: String
    public var role: Role
    /// bcrypt.
    public var passwordHash: String
    /// The TOTP secret as the database holds it (sealed at rest).
    public var totpSecret: String
    public var createdAt: Date

    public init(name: String, role: Role, passwordHash: String, totpSecret: String, createdAt: Date) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
        self.createdAt = createdAt
    }

    /// Operator names: 2–32 lowercase letters, digits, dots, dashes or underscores.
    public static func isValidName(_ name: String) -> Bool {
        (2...32).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F }
    }
}
