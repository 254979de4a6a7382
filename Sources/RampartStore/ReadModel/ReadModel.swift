import RampartCore

/// What the store keeps in memory so that a profile view, a search page or a connection
/// list reads the database once at most: sessions, accounts, agreement acceptances,
/// profiles (decoded), search result pages and connection-list pages in bounded
/// read-through caches, and the whole network (connections
/// and pending invitations, ``NetworkGraph``).
///
/// The store that writes a row updates or drops its copy as the write commits; writes
/// by another process (a CLI command, a second server) are seen within `2 × maxAge`, as
/// the caches forget everything older. The network graph follows only this store's
/// writes: one server writes the network.
public final class ReadModel: Sendable {
    /// How much the caches may hold.
    public struct Limits: Sendable {
        /// Decoded profiles kept at most (about 2 KB each).
        public var profiles: Int
        /// Sessions, accounts and acceptances kept at most, each.
        public var sessions: Int
        /// Search result pages, and connection-list pages, kept at most (a few hundred bytes each).
        public var searches: Int
        /// No cached row is older than twice this.
        public var maxAge: Duration

        public init(profiles: Int = 100_000, sessions: Int = 50_000, searches: Int = 10_000, maxAge: Duration = .seconds(15)) {
            self.profiles = profiles
            self.sessions = sessions
            self.searches = searches
            self.maxAge = maxAge
        }
    }

    /// Live sessions by token hash.
    let sessions: BoundedCache<String, Session>
    let accounts: BoundedCache<AccountID, Account>
    /// The latest agreement version each account accepted.
    let acceptances: BoundedCache<AccountID, Int>
    let profiles: BoundedCache<AccountID, Profile>
    /// The account IDs a search query found, best first (one store page): every profile
    /// write through this store drops them all; each result is still checked against
    /// what its viewer may see (``NetworkService``).
    let searches: BoundedCache<ProfileQuery, [AccountID]>
    /// Pages of connection lists (newest first): every connection write through this
    /// store drops them all.
    let connectionPages: BoundedCache<ConnectionPageKey, [AccountID]>
    let graph = NetworkGraph()

    public init(_ limits: Limits = Limits()) {
        // Two generations of half the limit each.
        sessions = BoundedCache(generationSize: limits.sessions / 2, maxAge: limits.maxAge)
        accounts = BoundedCache(generationSize: limits.sessions / 2, maxAge: limits.maxAge)
        acceptances = BoundedCache(generationSize: limits.sessions / 2, maxAge: limits.maxAge)
        profiles = BoundedCache(generationSize: limits.profiles / 2, maxAge: limits.maxAge)
        searches = BoundedCache(generationSize: limits.searches / 2, maxAge: limits.maxAge)
        connectionPages = BoundedCache(generationSize: limits.searches / 2, maxAge: limits.maxAge)
    }

    /// A profile was written (saved, or created with its account): its copy and every
    /// cached search page go.
    func profileWritten(_ account: AccountID) {
        profiles.remove(account)
        searches.removeAll()
    }

    /// Connections were made (an accepted invitation, seeding): the graph gains them and
    /// every cached connection-list page goes.
    func connected(_ pairs: [(AccountID, AccountID)]) {
        graph.connect(pairs)
        connectionPages.removeAll()
    }

    /// A connection was removed.
    func disconnected(_ a: AccountID, _ b: AccountID) {
        graph.disconnect(a, b)
        connectionPages.removeAll()
    }

    /// One page of one member's connection list.
    struct ConnectionPageKey: Hashable, Sendable {
        var account: AccountID
        var limit: Int
        var offset: Int
    }

    /// Forgets every cached row (after bulk writes such as seeding).
    func forgetRows() {
        sessions.removeAll()
        accounts.removeAll()
        acceptances.removeAll()
        profiles.removeAll()
        searches.removeAll()
        connectionPages.removeAll()
    }
}

/// What ``StoreMaintenance/loadReadModel(progress:)`` loaded.
public struct ReadModelSummary: Sendable {
    public var members: Int
    public var connections: Int
    /// False when a connection was written while loading: the store answers by SQL.
    public var loaded: Bool
}
