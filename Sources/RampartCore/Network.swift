import Foundation

public typealias InvitationID = Identifier<Invitation>
public typealias PurchaseID = Identifier<Purchase>
public typealias AccessEventID = Identifier<AccessEvent>

/// An invitation to connect, from `sender` to `recipient`.
public struct Invitation: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pending
        case accepted
        case declined
        case withdrawn
    }

    public var id: InvitationID
    public var sender: AccountID
    public var recipient: AccountID
    public var message: String
    public var status: Status
    public var createdAt: Date
    public var respondedAt: Date?

    public init(
        id: InvitationID, sender: AccountID, recipient: AccountID, message: String, status: Status = .pending,
        createdAt: Date, respondedAt: Date? = nil
    ) {
        self.id = id
        self.sender = sender
        self.recipient = recipient
        self.message = message
        self.status = status
        self.createdAt = createdAt
        self.respondedAt = respondedAt
    }
}

/// A paid upgrade: who bought which tier, for how much, with which payment instrument
/// (only its keyed fingerprint is kept — evidence that links accounts paying with one card).
public struct Purchase: Sendable, Equatable {
    public var id: PurchaseID
    public var accountID: AccountID
    public var tier: Tier
    public var amountCents: Int64
    public var currency: String
    public var instrumentFingerprint: String
    public var providerReference: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(
        id: PurchaseID, accountID: AccountID, tier: Tier, amountCents: Int64, currency: String,
        instrumentFingerprint: String, providerReference: String, createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.accountID = accountID
        self.tier = tier
        self.amountCents = amountCents
        self.currency = currency
        self.instrumentFingerprint = instrumentFingerprint
        self.providerReference = providerReference
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One access to member data: who saw whose data, which categories, when, from where.
/// Every profile view, search page and connection-list view produces exactly one.
public struct AccessEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case profileView = "profile_view"
        case searchPage = "search_page"
        case connectionList = "connection_list"
        case publicCard = "public_card"
    }

    public var id: AccessEventID
    /// Nil for an anonymous visitor (public cards only).
    public var viewer: AccountID?
    /// The member whose page was opened (nil for a search page).
    public var target: AccountID?
    public var kind: Kind
    /// The categories of data served, across all members shown.
    public var categories: Set<DataCategory>
    /// Every member whose data was shown (the target, search results, listed connections).
    public var subjects: [AccountID]
    public var occurredAt: Date
    public var client: ClientInfo
    public var deviceHash: String?
    public var session: SessionID?
    /// What this access cost against the viewer's exposure budget, and where the budget
    /// stood after it.
    public var budget: BudgetMark?
    /// Honey profiles served with it (``HoneyProfile``): synthetic, so never in `subjects`.
    public var honey: [AccountID]
    /// Positions of the shared honey code offered with it but not shown (passed over): with
    /// `honey`, every offer the code's score counts is in the ledger.
    public var honeyPassed: [AccountID]
    /// Its entry in the evidence ledger, once the recorder has numbered it (nil with the
    /// ledger off), and the serving instance's name when several share a database.
    public var ledgerSequence: Int64?
    public var instance: String?

    public init(
        id: AccessEventID = .random(), viewer: AccountID?, target: AccountID?, kind: Kind, categories: Set<DataCategory>,
        subjects: [AccountID], occurredAt: Date, client: ClientInfo, deviceHash: String?, session: SessionID?,
        budget: BudgetMark? = nil, honey: [AccountID] = [], honeyPassed: [AccountID] = []
    ) {
        self.honey = honey
        self.honeyPassed = honeyPassed
        self.id = id
        self.viewer = viewer
        self.target = target
        self.kind = kind
        self.categories = categories
        self.subjects = subjects
        self.occurredAt = occurredAt
        self.client = client
        self.deviceHash = deviceHash
        self.session = session
        self.budget = budget
    }
}

/// An access's charge against an exposure budget: the budget holder, what was charged for
/// (`key`, e.g. the member shown), the cost, and the day and month totals after it.
public struct BudgetMark: Sendable, Equatable {
    public var holder: String
    public var key: String
    public var cost: Double
    public var dayUsed: Double
    public var monthUsed: Double

    public init(holder: String, key: String, cost: Double, dayUsed: Double, monthUsed: Double) {
        self.holder = holder
        self.key = key
        self.cost = cost
        self.dayUsed = dayUsed
        self.monthUsed = monthUsed
    }
}

/// Where access events go. For now they are stored; the evidence ledger replaces this.
public protocol AccessEventSink: Sendable {
    func record(_ event: AccessEvent) async throws
}

/// What people search for: free-text terms (each a phrase of tokens, see `SearchText`)
/// and optional filters, a page at a time.
public struct ProfileQuery: Sendable, Hashable {
    public var terms: [[String]]
    public var company: String?
    public var title: String?
    public var school: String?
    public var location: String?
    public var limit: Int
    public var offset: Int

    public init(
        terms: [[String]], company: String? = nil, title: String? = nil, school: String? = nil, location: String? = nil,
        limit: Int = 10, offset: Int = 0
    ) {
        self.terms = terms
        self.company = company
        self.title = title
        self.school = school
        self.location = location
        self.limit = limit
        self.offset = offset
    }

    public var isEmpty: Bool { terms.isEmpty && company == nil && title == nil && school == nil && location == nil }
}

/// Normalised keys for the exact filters (company, title, school, location):
/// lowercased, single-spaced.
public enum FilterKey {
    public static func make(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
