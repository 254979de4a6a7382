import Foundation
import RampartEvidence
import RampartGuard
import RampartLedger

/// The ledger's record of the protection in force changing: at server start (policy file,
/// ledger key, signature enforcement) and whenever the ID-sealing keyring changes. Always
/// with the keyring's key IDs, never keys.
public struct PolicyChangeEntry: EvidenceEntry {
    public static let kind = LedgerEntryKind.policyChange

    public enum Event: Sendable {
        /// The server started with this policy file, ledger signing key and API signature
        /// enforcement.
        case serverStarted(policyPath: String, policySha256: String, ledgerPublicKey: Data, signatures: AccessPolicy.Signatures.Enforcement)
        /// A keyring rotated on disk (`rampart keys rotate`) was picked up.
        case keyringChangedOnDisk
        /// The server rotated the sealing key because it was due.
        case keyRotatedOnSchedule
    }

    public var event: Event
    /// The ID-sealing keyring in force from now on.
    public var keyring: Keyring

    public init(_ event: Event, keyring: Keyring) {
        self.event = event
        self.keyring = keyring
    }

    public var fields: [String: String] {
        var fields = ["sealingKeys": keyring.entries.map { String($0.id) }.joined(separator: ","), "currentSealingKey": String(keyring.current.id)]
        switch event {
        case .serverStarted(let policyPath, let policySha256, let ledgerPublicKey, let signatures):
            fields["event"] = "server started"
            fields["policyPath"] = policyPath
            fields["policySha256"] = policySha256
            fields["ledgerPublicKey"] = ledgerPublicKey.base64EncodedString()
            fields["signatures"] = signatures.rawValue
        case .keyringChangedOnDisk: fields["event"] = "sealing keyring changed on disk"
        case .keyRotatedOnSchedule: fields["event"] = "sealing key rotated on schedule"
        }
        return fields
    }
}
