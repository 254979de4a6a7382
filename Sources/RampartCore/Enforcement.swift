import Foundation

public typealias EnforcementID = Identifier<EnforcementRecord>
public typealias AppealID = Identifier<Appeal>

/// One step on the response ladder taken against an account, by the detection engine or
/// by an operator: what was done, at what risk, and why (the engine's explanation or the
/// operator's note). Operator actions wait for the server to add them to the evidence
/// ledger (`ledgered`), so the ledger has one writer.
public struct EnforcementRecord: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case challenge, throttle, degrade, suspend, unsuspend
        case appealAccepted = "appeal_accepted"
        case appealRejected = "appeal_rejected"
        /// An operator separated two linked accounts (the other is named in the reason).
        case separate
        /// An operator linked two accounts as one person (the other is named in the reason).
        case merge
        /// A mirror found in the wild holds IDs sealed for this account (`rampart attribute
        /// --record`; the counts and files are in the reason).
        case mirrorMatch = "mirror_match"
        /// Registration, login or purchase by an account linked to a suspended one.
        case banEvasion = "ban_evasion"
    }

    public var id: EnforcementID
    public var account: AccountID
    public var action: Action
    /// The engine's risk (0–100) when it acted; nil for an operator.
    public var risk: Double?
    /// The engine's explanation, or the operator's reason.
    public var reason: String
    /// "guard" for the engine, else the operator's name.
    public var actor: String
    public var at: Date
    public var ledgered: Bool

    public init(
        id: EnforcementID = .random(), account: AccountID, action: Action, risk: Double?, reason: String, actor: String, at: Date,
        ledgered: Bool
    ) {
        self.id = id
        self.account = account
        self.action = action
        self.risk = risk
        self.reason = reason
        self.actor = actor
        self.at = at
        self.ledgered = ledgered
    }

    public static let engineActor = "guard"
}

/// A suspended account: since when, why, and by whom.
public struct Suspension: Sendable, Equatable {
    public var account: AccountID
    public var since: Date
    public var reason: String
    public var actor: String

    public init(account: AccountID, since: Date, reason: String, actor: String) {
        self.account = account
        self.since = since
        self.reason = reason
        self.actor = actor
    }
}

/// A suspended member's request to be reinstated, and how an operator resolved it.
public struct Appeal: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case open, accepted, rejected
    }

    public var id: AppealID
    public var account: AccountID
    public var text: String
    public var createdAt: Date
    public var status: Status
    public var resolvedAt: Date?
    public var note: String?

    public init(
        id: AppealID = .random(), account: AccountID, text: String, createdAt: Date, status: Status = .open, resolvedAt: Date? = nil,
        note: String? = nil
    ) {
        self.id = id
        self.account = account
        self.text = text
        self.createdAt = createdAt
        self.status = status
        self.resolvedAt = resolvedAt
        self.note = note
    }
}

/// A piece of evidence linking two accounts, as stored: the identity graph is rebuilt from
/// these at start, and an analyst reads them to see why accounts form one cluster.
public struct StoredIdentityLink: Sendable, Equatable {
    public var id: Int64
    public var first: AccountID
    public var second: AccountID
    /// The evidence kind (`device_cookie`, `payment_instrument`, ...).
    public var kind: String
    public var detail: String
    public var at: Date

    public init(id: Int64 = Int64.random(in: 1...Int64.max), first: AccountID, second: AccountID, kind: String, detail: String, at: Date) {
        self.id = id
        self.first = first
        self.second = second
        self.kind = kind
        self.detail = detail
        self.at = at
    }
}

/// An operator's decision that two linked accounts are different people.
public struct IdentitySeparation: Sendable, Equatable {
    public var first: AccountID
    public var second: AccountID
    public var actor: String
    public var reason: String
    public var at: Date

    public init(first: AccountID, second: AccountID, actor: String, reason: String, at: Date) {
        self.first = first
        self.second = second
        self.actor = actor
        self.reason = reason
        self.at = at
    }
}
