import Foundation
import RampartCore

/// The one rule for an ID sealed for another account, which the server's sealed-ID gate and
/// the simulator both follow: a profile link opens while the holder has shared-link
/// allowance left (people share links), and either way the ID counts toward a handoff link
/// between the two accounts, which only many distinct IDs make (``HandoffTally``). Neither
/// is misuse in itself.
public struct ForeignIDs: Sendable {
    public let allowance: SharedLinkAllowance
    public let handoffs: HandoffTally

    public init(allowance: SharedLinkAllowance, handoffs: HandoffTally) {
        self.allowance = allowance
        self.handoffs = handoffs
    }

    public init(_ sealing: AccessPolicy.Sealing) {
        self.init(allowance: SharedLinkAllowance(sealing), handoffs: HandoffTally(sealing))
    }

    /// What one use of a foreign ID does.
    public struct Use: Sendable, Equatable {
        /// The ID opens (a shared profile link within the allowance).
        public var opens: Bool
        /// The two accounts are now linked: the holder has used enough of the owner's IDs.
        public var linksTheTwo: Bool
    }

    /// `user` presented `id`, sealed for `owner` (nil: for nobody in particular, which
    /// links nobody). `asSharedLink`: a profile link that may open as a shared one (other
    /// IDs, and expired links, never open).
    public func use(_ id: Int64, issuedTo owner: Int64?, by user: Int64, asSharedLink: Bool, at now: Date) -> Use {
        let opens = asSharedLink && allowance.admit(AccountID(rawValue: user), at: now)
        guard let owner, owner != user else { return Use(opens: opens, linksTheTwo: false) }
        return Use(opens: opens, linksTheTwo: handoffs.note(owner: owner, user: user, id: UInt64(bitPattern: id), at: now))
    }
}
