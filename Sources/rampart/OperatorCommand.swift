import ArgumentParser
import Foundation
import RampartApp
import RampartCore
import RampartEvidence
import RampartGuard

/// `rampart operator add NAME --role analyst|admin`: a trust & safety operator for the
/// console (`/console`), with a password and a TOTP secret shown once.
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "Operators of the trust & safety console.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console operator; prints their password and TOTP secret once (give them over a safe channel).")
        @OptionGroup var storage: StorageOptions

        @Argument(help: "Operator name: 2-32 lowercase letters, digits, dots, dashes or underscores.")
        var name: String

        @Option(help: "analyst (reads, makes case files) or admin (also suspends, reinstates, resolves appeals).")
        var role: String = "analyst"

        @Flag(help: "Print one JSON object (for scripts).")
        var json = false

        func run() async throws {
            guard let role = ConsoleOperator.Role(rawValue: role) else { throw ValidationError("--role is analyst or admin.") }
            let secrets = SecretStore(dataDirectory: storage.dataDirectory)
            let atRest = SecretsAtRest(keyring: try secrets.atRestKeyring(now: Date()))
            let (name, json) = (name, json)
            let created = try await storage.withStore { store in
                try await ConsoleService(
                    store: store, hasher: PasswordHasher(), atRest: atRest, clock: SystemWallClock(), evidence: DiscardingEvidenceLog()
                ).addOperator(name: name, role: role)
            }
            if json {
                let object = ["name": name, "role": role.rawValue, "password": created.password, "totpSecret": created.totpSecret, "authenticatorURL": created.authenticatorURL]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            print("operator \(name) (\(role.rawValue)) added. Shown once, give them over a safe channel:")
            print("  password:      \(created.password)")
            print("  TOTP secret:   \(created.totpSecret)")
            print("  authenticator: \(created.authenticatorURL)")
            print("Sign in at /console/login.")
        }
    }
}
