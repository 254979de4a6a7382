import Crypto
import Foundation
import RampartCore
import RampartStore
import Testing

@testable import RampartApp

/// The seal an instance puts on a request it forwards to the owner: the owner serves a
/// sealed request itself; a client cannot claim to be an instance (another key), nor reuse
/// a seal for another request or after its window.
@Suite struct InstanceDirectoryTests {
    @Test func onlyAFreshSealFromAnInstanceOfThisDatabaseForThisRequestCounts() {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        let master = SymmetricKey(size: .bits256)
        let a = InstanceDirectory(name: "a1", address: "http://127.0.0.1:1", signingMaster: master, clock: clock, owner: Self.selfOwned)
        let b = InstanceDirectory(name: "a2", address: "http://127.0.0.1:2", signingMaster: master, clock: clock, owner: Self.selfOwned)
        let stranger = InstanceDirectory(
            name: "a1", address: "http://127.0.0.1:1", signingMaster: SymmetricKey(size: .bits256), clock: clock, owner: Self.selfOwned)
        let seal = a.seal(method: "GET", path: "/api/v1/profiles/x")
        #expect(b.isForwarded(seal, method: "GET", path: "/api/v1/profiles/x"))
        #expect(!b.isForwarded(seal, method: "GET", path: "/api/v1/profiles/y"))
        #expect(!b.isForwarded(seal, method: "POST", path: "/api/v1/profiles/x"))
        #expect(!b.isForwarded(stranger.seal(method: "GET", path: "/api/v1/profiles/x"), method: "GET", path: "/api/v1/profiles/x"))
        #expect(!b.isForwarded("a1 1800000000000 forged", method: "GET", path: "/api/v1/profiles/x"))
        clock.advance(by: 31)
        #expect(!b.isForwarded(seal, method: "GET", path: "/api/v1/profiles/x"))
    }

    static let selfOwned: @Sendable (AccountID, String, [String]) async throws -> String = { _, instance, _ in instance }

    /// Owners as the store records them: the first live instance that asked.
    @Test func anAccountIsForwardedToTheInstanceItReachedFirstUntilThatOneIsGone() async throws {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        let store = SQLStore(driver: try SQLiteDriver.inMemory())
        try await store.migrate()
        let owner: @Sendable (AccountID, String, [String]) async throws -> String = { account, instance, live in
            try await store.accountOwner(account, claimingFor: instance, live: live, at: clock.now())
        }
        let master = SymmetricKey(size: .bits256)
        let a = InstanceDirectory(name: "a1", address: "http://127.0.0.1:1", signingMaster: master, clock: clock, owner: owner)
        let b = InstanceDirectory(name: "a2", address: "http://127.0.0.1:2", signingMaster: master, clock: clock, owner: owner)
        for directory in [a, b] { directory.update([(name: "a1", address: "http://127.0.0.1:1"), (name: "a2", address: "http://127.0.0.1:2")]) }
        let account = AccountID(rawValue: 42)
        #expect(try await a.forwardingAddress(for: account) == nil)
        #expect(try await b.forwardingAddress(for: account)?.name == "a1")
        #expect(try await a.forwardingAddress(for: account) == nil)
        // a1 is gone: the next instance the account's requests reach takes it over, and
        // a1 started again defers to it.
        b.unreachable("a1")
        #expect(try await b.forwardingAddress(for: account) == nil)
        let restarted = InstanceDirectory(name: "a1", address: "http://127.0.0.1:1", signingMaster: master, clock: clock, owner: owner)
        restarted.update([(name: "a2", address: "http://127.0.0.1:2")])
        #expect(try await restarted.forwardingAddress(for: account)?.name == "a2")
    }
}
