import Foundation

/// A honey profile: a synthetic member the platform made itself, marked as such in its own
/// records (a table of its own, never an account), shown only to an account the Guard
/// suspects (``HoneyPlacement`` in the Guard) and to that account alone. It impersonates
/// nobody, is never found by an ordinary search and is counted in no member figure; a copy
/// of it found elsewhere names the account it was given to.
public struct HoneyProfile: Sendable, Hashable {
    /// What any viewer is shown: a normal-looking profile whose `accountID` is the honey's ID.
    public var profile: Profile
    public var mintedAt: Date
    /// The one account it was given to, once given.
    public var assignedTo: AccountID?
    public var assignedAt: Date?

    public var id: AccountID { profile.accountID }

    public init(profile: Profile, mintedAt: Date, assignedTo: AccountID? = nil, assignedAt: Date? = nil) {
        self.profile = profile
        self.mintedAt = mintedAt
        self.assignedTo = assignedTo
        self.assignedAt = assignedAt
    }
}
