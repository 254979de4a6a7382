import RampartCore
import RampartLedger

/// An evidence log that keeps nothing: for offline tools that run an application service
/// only to read (rebuilding the identity graph for a report), where nothing they do is
/// evidence.
public struct DiscardingEvidenceLog: EvidenceLog {
    public init() {}
    public func record(_ event: AccessEvent) async throws {}
    public func append(_ kind: LedgerEntryKind, account: AccountID?, fields: [String: String]) async throws {}
}
