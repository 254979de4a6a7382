import RampartCore

/// One request as the detection engine sees it: who (account, session, device, address),
/// what (the action and, for a profile, how close the target is to the viewer), and what
/// the transport layer noticed about the client. Plain values: no HTTP types.
public struct GuardEvent: Sendable, Equatable {
    /// How the viewer relates to a profile they open.
    public enum Proximity: UInt8, Sendable, Equatable {
        /// Their own profile.
        case own
        /// A connection or a connection's connection.
        case network
        /// Not in their network, but at a company or school they share.
        case work
        /// Nobody they are related to.
        case outside
        /// The viewer has no network yet to measure against (a new member): neither inside
        /// nor outside.
        case noNetwork

        /// Connections below which a member has no network to measure against.
        public static let smallestNetwork = 5

        /// Where a profile stands relative to its viewer, the one rule the server and the
        /// simulator both use. `viewerConnections` matters only for a stranger who shares no
        /// company or school (callers may skip looking it up otherwise): a new member has
        /// nobody yet, so the share of views outside their network says nothing about them.
        public init(degree: RelationshipDegree, sharesWork: Bool, viewerConnections: @autoclosure () throws -> Int) rethrows {
            switch degree {
            case .this: self = .own
            case .first, .second: self = .network
            case .thirdOrMore:
                if sharesWork {
                    self = .work
                } else {
                    self = try viewerConnections() < Self.smallestNetwork ? .noNetwork : .outside
                }
            }
        }
    }

    public enum Action: Sendable, Equatable {
        /// A member's profile; `target` is the internal ID, used only to count distinct profiles.
        case profileView(target: Int64, proximity: Proximity)
        /// A page of search results (0 = the first).
        case searchPage(page: Int)
        /// A page of a member's connection list.
        case connectionList(owner: Int64, page: Int, own: Bool)
        /// Any other page or call that lists members (home, invitations).
        case listing
        /// A page's stylesheet or image, fetched by a browser rendering it.
        case pageAsset
        /// A response just served showed this many members the requester had not seen in the
        /// last 24 hours (in any form: profile, search card, list card). Not a request.
        case reach(members: Int)
        /// A request with a bad or missing signature, or a sealed ID that was not this viewer's.
        case misuse
        /// Anything else a signed-in member does.
        case other

        /// Evidence about the requester rather than a request to decide on.
        var isObservation: Bool {
            switch self {
            case .pageAsset, .reach: true
            default: false
            }
        }
    }

    public enum Channel: UInt8, Sendable, Equatable {
        case web
        case api
    }

    /// Where the viewer's exposure budget (its cluster's, when linked) stood before this
    /// request. The budget refuses on its own, after the engine's decision; the engine
    /// weighs an account that keeps pressing against it.
    public enum BudgetPressure: UInt8, Sendable, Equatable {
        case none
        /// At or past `budgets.warnAt` of the day's or the month's budget.
        case warned
        /// Only the hour's allowance is spent: the budget refuses this request, but the day
        /// is not marked (a member reading in a burst pauses; a script keeps asking, which
        /// the refusals count).
        case paused
        /// Spent: the budget refuses this request.
        case exhausted

        public init(_ standing: ExposureLedger.Standing, warnAt share: Double) {
            let dayOrMonth = standing.dayUsed >= standing.dayLimit || standing.monthUsed >= standing.monthLimit
            if dayOrMonth {
                self = .exhausted
            } else if standing.warns(at: share) {
                self = .warned
            } else {
                self = standing.hourExhausted ? .paused : .none
            }
        }
    }

    public var action: Action
    public var channel: Channel
    public var account: Int64?
    /// A stable 64-bit key of the session (``StableHash``), if any.
    public var session: UInt64?
    /// A stable 64-bit key of the device cookie or device hash, if any.
    public var device: UInt64?
    public var ip: IPAddress?
    /// The account's cluster (``IdentityGraph``) when it has other accounts: their evidence
    /// adds up on one key, so ten accounts crawl like one.
    public var cluster: Int64?
    /// Fingerprint anomalies found in the request's headers (``ClientFingerprint``).
    public var fingerprintAnomalies: Int
    /// The client sent forwarding headers without being a trusted proxy.
    public var forgedForwarding: Bool
    /// The viewer's exposure budget before this request.
    public var budget: BudgetPressure

    public init(
        _ action: Action, channel: Channel = .api, account: Int64? = nil, session: UInt64? = nil, device: UInt64? = nil,
        ip: IPAddress? = nil, cluster: Int64? = nil, fingerprintAnomalies: Int = 0, forgedForwarding: Bool = false,
        budget: BudgetPressure = .none
    ) {
        self.budget = budget
        self.cluster = cluster
        self.action = action
        self.channel = channel
        self.account = account
        self.session = session
        self.device = device
        self.ip = ip
        self.fingerprintAnomalies = fingerprintAnomalies
        self.forgedForwarding = forgedForwarding
    }
}

/// Which kind of key a piece of risk belongs to.
public enum KeyScope: UInt8, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case account, session, device, ip, subnet, cluster

    public var description: String {
        switch self {
        case .account: "account"
        case .session: "session"
        case .device: "device"
        case .ip: "IP address"
        case .subnet: "subnet"
        case .cluster: "cluster of linked accounts"
        }
    }

    var isShared: Bool { self == .ip || self == .subnet }
}
