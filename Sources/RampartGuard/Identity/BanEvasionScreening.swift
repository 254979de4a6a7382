import Foundation

/// Ban-evasion screening, one rule for the server and the simulator: an account (new at
/// registration, or at login or a purchase) linked by strong evidence (a card, a device
/// cookie, a handed-over sealed ID) to a member of a suspended account's cluster is stopped;
/// by medium evidence (a registration burst, a phone-number block, continuing a suspended
/// account's network and client) it is held for review; weak evidence never counts. Pure:
/// the caller says which accounts are suspended (the server asks its store, the simulator
/// its set).
public enum BanEvasionScreening: Sendable, Equatable {
    /// No medium or strong evidence to a suspended account.
    case clear
    /// Medium evidence to the cluster of `continues`, a suspended account: held for review.
    case hold(continues: Int64, evidence: LinkEvidence)
    /// Strong evidence to the cluster of `continues`, a suspended account: stopped.
    case stop(continues: Int64, evidence: LinkEvidence)

    /// How many members of each linked cluster screening looks at, and how many links a
    /// registration window returns (the server and the simulator use the same bound).
    public static let fanOut = 50

    /// One account screening asks about, with the evidence that leads to it.
    public struct Candidate: Sendable, Equatable {
        /// A member of the cluster of the account the evidence links the screened one to.
        public var account: Int64
        public var evidence: LinkEvidence

        public init(account: Int64, evidence: LinkEvidence) {
            self.account = account
            self.evidence = evidence
        }
    }

    /// The accounts to ask about, in the order the rule weighs them: for each medium or
    /// strong link of `account`, the members (at most `fanOut`) of the other account's
    /// cluster, `account` itself left out. Add the links to `graph` first.
    public static func candidates(of account: Int64, links: [IdentityLink], graph: IdentityGraph, fanOut: Int = fanOut) -> [Candidate] {
        var candidates: [Candidate] = []
        for link in links where link.evidence.strength >= .medium {
            let other = link.first == account ? link.second : link.first
            for member in graph.members(of: other, limit: fanOut) where member != account {
                candidates.append(Candidate(account: member, evidence: link.evidence))
            }
        }
        return candidates
    }

    /// The verdict, given which candidates are suspended: the first one reached by strong
    /// evidence stops the account; otherwise the first one reached by medium evidence holds it.
    public static func verdict(_ candidates: [Candidate], isSuspended: (Int64) throws -> Bool) rethrows -> BanEvasionScreening {
        var found = BanEvasionScreening.clear
        for candidate in candidates {
            // Once a hold is found, only strong evidence can change the verdict.
            if found != .clear, candidate.evidence.strength != .strong { continue }
            guard try isSuspended(candidate.account) else { continue }
            if candidate.evidence.strength == .strong { return .stop(continues: candidate.account, evidence: candidate.evidence) }
            found = .hold(continues: candidate.account, evidence: candidate.evidence)
        }
        return found
    }

    /// Screens `account` by its new `links` (already added to `graph`).
    public static func screen(
        _ account: Int64, links: [IdentityLink], graph: IdentityGraph, fanOut: Int = fanOut, isSuspended: (Int64) throws -> Bool
    ) rethrows -> BanEvasionScreening {
        try verdict(candidates(of: account, links: links, graph: graph, fanOut: fanOut), isSuspended: isSuspended)
    }
}
