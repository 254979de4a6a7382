import Foundation

/// A honey profile: a synthetic member the platform made itself, marked as such in its own
/// records (a table of its own, never an account), shown only to an account the Guard
/// suspects (``HoneyPlacement`` in the Guard) and to that account alone. It impersonates
/// nobody, is never found by an ordinary search and is counted in no member figure; a copy
/// of it found elsewhere names the account it was given to. A honey profile with a
/// `codeBias` is instead a position of the shared honey code (`HoneyCode` in the Guard),
/// shown to many suspects, each with that chance.
public struct HoneyProfile: Sendable, Hashable {
    /// What any viewer is shown: a normal-looking profile whose `accountID` is the honey's ID.
    public var profile: Profile
    public var mintedAt: Date
    /// The one account it was given to, once given.
    public var assignedTo: AccountID?
    public var assignedAt: Date?
    /// Set for a position of the shared code: the chance an account offered it is shown it.
    /// Such a profile is never given to one account.
    public var codeBias: Double?

    public var id: AccountID { profile.accountID }

    public init(profile: Profile, mintedAt: Date, assignedTo: AccountID? = nil, assignedAt: Date? = nil, codeBias: Double? = nil) {
        self.profile = profile
        self.mintedAt = mintedAt
        self.assignedTo = assignedTo
        self.assignedAt = assignedAt
        self.codeBias = codeBias
    }
}

/// One position of the shared honey code offered to one account: whether it was shown or
/// passed over. What a copy is scored against (`HoneyCodeDecoder` in the Guard).
public struct HoneyCodeOffer: Sendable, Hashable {
    public var account: AccountID
    /// The code position (a honey profile with a `codeBias`).
    public var honey: AccountID
    public var shown: Bool
    public var offeredAt: Date

    public init(account: AccountID, honey: AccountID, shown: Bool, offeredAt: Date) {
        self.account = account
        self.honey = honey
        self.shown = shown
        self.offeredAt = offeredAt
    }
}
