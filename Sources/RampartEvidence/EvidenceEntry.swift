import RampartCore
import RampartLedger

/// One kind of fact the evidence ledger keeps, as a typed payload: each kind of entry is one
/// type that encodes its own fields, in one place, so no caller builds a ledger entry's
/// fields by hand.
public protocol EvidenceEntry: Sendable {
    /// The ledger entry kind this payload is recorded as.
    static var kind: LedgerEntryKind { get }
    /// The entry's fields as the ledger encodes them (canonical order is the ledger's job).
    var fields: [String: String] { get }
}

extension EvidenceLog {
    /// Appends one typed entry and returns once it is committed.
    public func append(_ entry: some EvidenceEntry, account: AccountID?) async throws {
        try await append(type(of: entry).kind, account: account, fields: entry.fields)
    }
}
