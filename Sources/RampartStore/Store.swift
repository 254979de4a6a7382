import Foundation
import RampartCore

/// The storage seam: everything Rampart keeps, behind one protocol with one SQLite and one
/// PostgreSQL implementation that pass the same conformance suite.
///
/// `Store` is the sum of its roles, one protocol each (see `Roles/`): a part of the
/// application that needs only one role can say so with that role's type, and everything
/// that holds the whole store can still pass it there.
///
/// Operations that must happen together (creating an account with its agreement
/// acceptance, device and first session; consuming a code) are single methods, each one
/// transaction, so no request can leave a partial write behind. Such a method belongs to the
/// role that asks for it even when it writes another role's tables (creating an account
/// writes its acceptance and profile; a suspension revokes sessions; committing evidence
/// writes access events; a separation is an enforcement record), which is why every role is
/// implemented by the same store over the same database.
public protocol Store:
    StoreMaintenance,
    ChangeFeedStore,
    AgreementStore,
    VerificationStore,
    AccountStore,
    NetworkStore,
    PremiumStore,
    AccessEventStore,
    LedgerStore,
    MisuseSignalStore,
    EnforcementStore,
    IdentityStore,
    SeedStore,
    OperatorStore,
    HoneyStore
{}

/// Failures the storage layer reports in domain terms.
public enum StoreError: Error, Equatable, Sendable {
    case phoneTaken
    case challengeConsumed
    case notFound
    case duplicate
    case invalidData(String)
    /// Another instance appended to the evidence ledger since this batch was numbered: it
    /// must be numbered again on the log as it now is.
    case ledgerMoved
    /// Entries handed over for the ledger were taken by another writer meanwhile (a writer
    /// that lost the ledger's duties without knowing it): this batch must not write them again.
    case handedOverTaken
}
