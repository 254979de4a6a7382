import Foundation

/// Evidence that two accounts belong to one person, as an analyst (or a judge) would read
/// it: what the accounts share, how strongly that binds them, and when it was seen.
public struct LinkEvidence: Sendable, Equatable {
    /// How much one piece of evidence binds two accounts.
    public enum Strength: String, Sendable, Comparable, CaseIterable {
        case weak, medium, strong

        public static func < (lhs: Strength, rhs: Strength) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// The same payment card (its keyed fingerprint).
        case paymentInstrument = "payment_instrument"
        /// The same device cookie.
        case deviceCookie = "device_cookie"
        /// A sealed ID issued to one account used by the other.
        case sealedIDHandoff = "sealed_id_handoff"
        /// Registered in one burst from one IP address or subnet.
        case registrationBurst = "registration_burst"
        /// Phone numbers from one consecutive block.
        case phoneBlock = "phone_block"
        /// One IP address or subnet within a time window.
        case sharedAddress = "shared_address"
        /// The same client software (header fingerprint and user agent).
        case sameClient = "same_client"
        /// Registered within the hour after an account's suspension, from the subnet it used,
        /// with its client (user agent).
        case continuesSuspended = "continues_suspended"
        /// An operator judged the two accounts one person (`rampart guard merge`, the console).
        case operatorMerge = "operator_merge"

        public var strength: Strength {
            switch self {
            case .paymentInstrument, .deviceCookie, .sealedIDHandoff, .operatorMerge: .strong
            case .registrationBurst, .phoneBlock, .continuesSuspended: .medium
            case .sharedAddress, .sameClient: .weak
            }
        }
    }

    public var kind: Kind
    /// What exactly is shared, in words ("card fingerprint 3f2a9c1e", "subnet 203.0.113.0/24").
    public var detail: String
    public var at: Date

    public init(_ kind: Kind, detail: String, at: Date) {
        self.kind = kind
        self.detail = detail
        self.at = at
    }

    public var strength: Strength { kind.strength }
}

/// One piece of evidence between two accounts.
public struct IdentityLink: Sendable, Equatable {
    public var first: Int64
    public var second: Int64
    public var evidence: LinkEvidence

    public init(_ first: Int64, _ second: Int64, _ evidence: LinkEvidence) {
        self.first = first
        self.second = second
        self.evidence = evidence
    }
}
