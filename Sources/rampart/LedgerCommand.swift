import ArgumentParser
import Crypto
import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartApp
import RampartForensics
import RampartStore

/// `rampart ledger`: check the evidence ledger, sign a tree head, export an account's
/// evidence for counsel.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Verify, sign and export the evidence ledger.",
        subcommands: [Verify.self, Sign.self, Export.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the ledger from its entries and check every signed tree head; exits 1 naming the first bad entry.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let key = try LedgerCommand.key(storage)
            let result = try await storage.withStore { store in
                try await LedgerAudit.verify(store, publicKey: key.publicKey) { count in
                    FileHandle.standardError.write(Data("\rchecked \(count) entries".utf8))
                }
            }
            FileHandle.standardError.write(Data("\n".utf8))
            if let problem = result.problem {
                print("LEDGER INVALID after \(result.entries) good entries: \(problem)")
                throw ExitCode(1)
            }
            print("ledger OK: \(result.entries) entries, \(result.treeHeads) signed tree heads, root \(result.root ?? "-")")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a tree head over everything the ledger holds now.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let key = try LedgerCommand.key(storage)
            let head = try await storage.withStore { store in
                try await LedgerCommand.publisher(store, key).publish()
            }
            guard let head else { throw ValidationError("The ledger is empty: nothing to sign.") }
            print("tree head: size \(head.size), root \(head.root)")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one account's entries, their inclusion proofs, the signed tree heads and a README into a directory.")
        @OptionGroup var storage: StorageOptions

        @Option(help: "The account: its internal number (from `rampart unseal`) or any sealed ID of it (account or profile).")
        var account: String

        @Option(help: "Only entries recorded from this time on (ISO 8601, e.g. 2026-11-01T00:00:00Z).")
        var from: String?

        @Option(help: "Only entries recorded before this time (ISO 8601).")
        var to: String?

        @Option(help: "Directory to write the bundle into.")
        var out: String

        func run() async throws {
            let key = try LedgerCommand.key(storage)
            let account = try resolveAccount()
            let (fromDate, toDate) = (try from.map(Self.date), try to.map(Self.date))
            let written = try await storage.withStore { store in
                // Sign a head over everything recorded so far, so the export leaves nothing out.
                _ = try await LedgerCommand.publisher(store, key).publish()
                return try await LedgerBundle.write(
                    .init(account: account, from: fromDate, to: toDate), store: store, publicKey: key.publicKey, directory: out,
                    now: Date())
            }
            print("wrote \(written.entries) entries with proofs to tree size \(written.treeSize) into \(written.directory)")
            print("check it with: python3 tools/verify_ledger_bundle.py \(written.directory)")
        }

        private func resolveAccount() throws -> AccountID {
            if let raw = Int64(account) { return AccountID(rawValue: raw) }
            guard let keyring = try SecretStore(dataDirectory: storage.dataDirectory).storedIDKeyring() else {
                throw ValidationError("No ID keyring in \(storage.dataDirectory)/keys to open \(account).")
            }
            let codec = SealedIDCodec(keyring: keyring, clock: SystemWallClock())
            guard let sealed = try? codec.inspect(account), sealed.kind == .account || sealed.kind == .profile else {
                throw ValidationError("--account must be an account number or a sealed account or profile ID.")
            }
            return AccountID(rawValue: sealed.rawValue)
        }

        static func date(_ text: String) throws -> Date {
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw ValidationError("\(text) is not an ISO 8601 time like 2026-11-01T00:00:00Z.")
            }
            return date
        }
    }

    static func key(_ storage: StorageOptions) throws -> Curve25519.Signing.PrivateKey {
        guard let key = try SecretStore(dataDirectory: storage.dataDirectory).existingLedgerSigningKey() else {
            throw ValidationError("No ledger key in \(storage.dataDirectory)/keys: run this where the server keeps its data.")
        }
        return key
    }

    static func publisher(_ store: any Store, _ key: Curve25519.Signing.PrivateKey) -> TreeHeadPublisher {
        TreeHeadPublisher(
            store: store, recorder: EvidenceRecorder(store: store), key: key, clock: SystemWallClock(), interval: .seconds(60),
            logger: Logger(label: "rampart"))
    }
}
